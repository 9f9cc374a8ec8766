import { readFileSync } from 'node:fs';
import { ConfigError, followFile, problemsOf } from '@manifold/platform/config';
import type { Logger } from '@manifold/platform/logging';
import { readManifest } from './manifest.ts';

/** The registered operations' text by document id (sha256, hex). */
export interface TrustedDocuments {
  get(id: string): string | undefined;
  readonly size: number;
}

/** The store file (`npm run trusted-documents -- add` writes it); ConfigError when unreadable or invalid. */
export function loadTrustedDocuments(path: string): TrustedDocuments {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([
      `TRUSTED_DOCUMENTS_PATH: cannot read ${path}: ${(error as Error).message}`,
    ]);
  }
  try {
    return new Map(readManifest(text).map(({ id, body }) => [id, body]));
  } catch (error) {
    throw new ConfigError([`TRUSTED_DOCUMENTS_PATH: ${path}: ${(error as Error).message}`]);
  }
}

export interface WatchedTrustedDocuments {
  current: () => TrustedDocuments;
  close: () => void;
}

/**
 * The store, re-read when the file changes (a deploy registering a new app version needs no
 * gateway restart); a changed file that is invalid is logged and the previous store stays in force.
 */
export function watchTrustedDocuments(
  path: string,
  { logger, intervalMs = 1_000 }: { logger: Logger; intervalMs?: number },
): WatchedTrustedDocuments {
  return followFile(path, intervalMs, loadTrustedDocuments, (outcome) => {
    if ('loaded' in outcome)
      logger.info({ path, documents: outcome.loaded.size }, 'trusted documents reloaded');
    else
      logger.error(
        { path, problems: problemsOf(outcome.error) },
        'trusted documents file changed but is invalid; the previous one stays in force',
      );
  });
}
