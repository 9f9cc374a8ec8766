// The launcher's supervisor with a real (tiny) process: a crash after readiness means a restart
// with backoff, shown line by line, until it gives up; a stop cancels a pending restart.
import { freePort } from '@manifold/platform/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ServiceDefinition } from '../../scripts/services.ts';
import { superviseService, type Supervisor } from '../../scripts/supervisor.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FLAKY: ServiceDefinition = {
  name: 'flaky',
  runtime: 'node',
  entry: 'test/launcher/fixtures/flaky-service.ts',
  port: 0,
  readyPath: '/healthz',
  stage: 0,
};

let supervisor: Supervisor | undefined;
afterEach(async () => {
  await supervisor?.stop();
  supervisor = undefined;
});

async function supervise(env: Record<string, string>, firstDelayMs: number) {
  const port = await freePort();
  const lines: string[] = [];
  const output: string[] = [];
  supervisor = superviseService(FLAKY, {
    root: ROOT,
    host: '127.0.0.1',
    port,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), ...env },
    prefix: { width: 5, colour: false, index: 0 },
    print: (line) => output.push(line),
    announce: (line) => lines.push(line),
    readyTimeoutMs: 10_000,
    stopGraceMs: 5_000,
    restart: { firstDelayMs, maxCrashes: 3 },
  });
  return {
    supervisor,
    port,
    lines,
    starts: () => output.filter((line) => line.endsWith('listening')).length,
  };
}

const answers = async (port: number) =>
  fetch(`http://127.0.0.1:${port}/healthz`).then(
    (response) => response.ok,
    () => false,
  );

describe('superviseService', () => {
  it('restarts a service that crashes after it was ready, with growing waits, then gives up', async () => {
    const { supervisor, port, lines } = await supervise({ CRASH_AFTER_MS: '300' }, 50);
    await supervisor.start();
    await vi.waitFor(
      () => {
        expect(lines.at(-1)).toMatch(/given up/);
      },
      { timeout: 15_000, interval: 50 },
    );
    expect(lines).toEqual([
      'flaky crashed (exit code 1)',
      'flaky restarting in 0.05 s (crash 1 of 3 in a row)',
      'flaky is up again',
      'flaky crashed (exit code 1)',
      'flaky restarting in 0.1 s (crash 2 of 3 in a row)',
      'flaky is up again',
      'flaky crashed (exit code 1)',
      'flaky crashed 3 times in a row: given up; the other services keep running',
    ]);
    expect(await answers(port)).toBe(false);
  });

  it('cancels a pending restart when told to stop during the backoff', async () => {
    const { supervisor, port, lines, starts } = await supervise({ CRASH_AFTER_MS: '200' }, 100);
    await supervisor.start();
    await vi.waitFor(() => {
      expect(lines).toContain('flaky restarting in 0.1 s (crash 1 of 3 in a row)');
    });
    await supervisor.stop();
    await sleep(1_500); // well past the restart it had planned: nothing may come back
    expect(starts()).toBe(1);
    expect(await answers(port)).toBe(false);
  });

  it('fails the first start of a service that exits before it is ready', async () => {
    const { supervisor } = await supervise({ EXIT_AT_ONCE: '1' }, 50);
    await expect(supervisor.start()).rejects.toThrow(
      'flaky exited before it was ready (exit code 3)',
    );
  });
});
