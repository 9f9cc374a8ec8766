// The sinks as deployed: the real process (src/main.ts) configured by its environment alone —
// failures injected at SINKS_FAILURE_RATIO with SINKS_FAILURE_STATUS, drawn from Math.random (so
// the observed share is checked against a binomial bound), its rate limit, and no admin routes
// under NODE_ENV=production.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { freePort } from '@manifold/platform/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { nodeArgs } from '../../../scripts/node-args.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const RATIO = 0.3;
const REQUESTS = 600;

let sinks: ChildProcess;
let url: string;
beforeAll(async () => {
  url = `http://127.0.0.1:${await freePort()}`;
  sinks = spawn(process.execPath, nodeArgs('upstreams/saas-sinks/src/main.ts'), {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: new URL(url).port,
      SINKS_FAILURE_RATIO: String(RATIO),
      SINKS_FAILURE_STATUS: '408',
      SINKS_RATE_LIMIT_PER_SECOND: '100000',
      // Each injected failure would log an error: noise here.
      LOG_LEVEL: 'fatal',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  await vi.waitFor(
    async () => {
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    },
    { timeout: 30_000, interval: 100 },
  );
}, 60_000);
afterAll(async () => {
  if (sinks.exitCode === null) {
    sinks.kill('SIGTERM');
    await once(sinks, 'exit');
  }
});

describe('the saas-sinks process', () => {
  it('fails its configured share of requests with its configured status, and applies the rest once', async () => {
    const statuses: number[] = [];
    // In batches: concurrent enough to be quick, few enough sockets to stay polite.
    for (let batch = 0; batch < REQUESTS; batch += 50)
      statuses.push(
        ...(await Promise.all(
          Array.from({ length: 50 }, async (_, i) => {
            const response = await fetch(`${url}/crm/events`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'idempotency-key': `p-${batch + i}` },
              body: '{}',
            });
            await response.arrayBuffer();
            return response.status;
          }),
        )),
      );
    const failed = statuses.filter((status) => status === 408).length;
    expect(failed + statuses.filter((status) => status === 201).length).toBe(REQUESTS);
    // Failures ~ Binomial(600, 0.3): mean 180, σ ≈ 11.2. Six σ either side (113–247) fails a
    // correct sink about twice in a billion runs; a ratio of 0.1 or 0.5 (means 60 and 300), no
    // failures, or all of them, fall far outside.
    const tolerance = 6 * Math.sqrt(REQUESTS * RATIO * (1 - RATIO));
    expect(Math.abs(failed - REQUESTS * RATIO)).toBeLessThanOrEqual(tolerance);
    const report = (await (await fetch(`${url}/crm/effects`)).json()) as {
      requests: number;
      injectedFailures: number;
      limited: number;
      ratePerSecond: number;
      failureInjection: { ratio: number; status: number };
      effects: unknown[];
    };
    expect(report).toMatchObject({
      requests: REQUESTS,
      injectedFailures: failed,
      limited: 0,
      ratePerSecond: 100_000,
      failureInjection: { ratio: RATIO, status: 408 },
    });
    expect(report.effects).toHaveLength(REQUESTS - failed);
  });

  it('has no admin routes in production, so it cannot be told to stop failing', async () => {
    const response = await fetch(`${url}/admin/failures`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ratio: 0 }),
    });
    expect(response.status).toBe(404);
  });
});
