import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { REPO_ROOT } from '../../support/processes.ts';

const CHROMIUM = '/usr/bin/chromium';

/** Debian's Chromium, headless, with a fresh profile of its own; fails saying how to install it. */
export async function launchChromium(): Promise<BrowserContext> {
  try {
    // A persistent context is how Playwright takes a --user-data-dir of our choosing.
    return await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'chromium-e2e-')), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1366, height: 768 }, // a laptop screen
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  } catch (error) {
    throw new Error(`This test needs Chromium at ${CHROMIUM}: apt-get install -y chromium`, {
      cause: error,
    });
  }
}

/** Where test artifacts (screenshots) are kept: `.artifacts/<scenario>/`, ignored by git. */
export function artifactPath(scenario: string, file: string): string {
  const directory = join(REPO_ROOT, '.artifacts', scenario);
  mkdirSync(directory, { recursive: true });
  return join(directory, file);
}
