// The receiver SIGKILLed between persist and answer: a real webhooks process stores the event
// and dies before its 202 is written (the NODE_ENV=test seam WEBHOOKS_TEST_EXIT_AFTER_PERSIST —
// no outside signal can land in that window on purpose). The sender saw no answer, so it sends
// again: a new process on the same Redis (AOF on) answers 200 duplicate, and the destination
// receives the event exactly once.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort, startRedisServer, type RedisServer } from '@manifold/platform/testing';
import { startService, type ServiceProcess } from '../../test/e2e/support/processes.ts';
import { sign } from './signers.ts';
import { startSink, writeWebhooksFile, type Sink } from './support.ts';

const SECRET = 'gh-receiver-crash';

let redis: RedisServer;
let sink: Sink;
let file: string;
const processes: ServiceProcess[] = [];

/** The webhooks service as `npm start` runs it (its own process), on the test's Redis. */
async function startReceiver(env: Record<string, string>): Promise<ServiceProcess> {
  const service = await startService({
    name: 'webhooks',
    entry: 'webhooks/src/main.ts',
    port: await freePort(),
    env: {
      WEBHOOKS_REDIS_URL: redis.url,
      WEBHOOKS_FILE: file,
      WEBHOOKS_GITHUB_SECRET: SECRET,
      WEBHOOKS_RETRY_SCHEDULE: '50ms',
      ...env,
    },
    readyPath: '/healthz',
  });
  processes.push(service);
  return service;
}

beforeAll(async () => {
  redis = await startRedisServer({ appendOnlyDir: mkdtempSync(join(tmpdir(), 'webhooks-aof-')) });
  sink = await startSink(() => ({ status: 200 }));
  file = writeWebhooksFile({
    sources: { github: { scheme: 'github', secrets: ['WEBHOOKS_GITHUB_SECRET'] } },
    destinations: { chat: { url: sink.url } },
    routes: [{ source: 'github', to: ['chat'] }],
  });
});
afterAll(async () => {
  for (const service of processes) await service.stop('SIGKILL');
  await sink.close();
  await redis.stop();
});

describe('a receiver killed between persist and answer', () => {
  it("recognises the sender's retry as a duplicate, and the destination gets the event once", async () => {
    const request = sign.github(SECRET, { id: 'receiver-crash-1', type: 'push' });
    // No workers in the first process: the event stays queued, untouched, when it dies.
    const first = await startReceiver({
      WEBHOOKS_TEST_EXIT_AFTER_PERSIST: 'true',
      WEBHOOKS_WORKERS: 'false',
    });
    const post = (url: string) =>
      fetch(`${url}/hooks/github`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...request.headers },
        body: request.body,
      });
    await expect(post(first.url)).rejects.toThrow(); // the connection dropped: no answer at all
    await first.exited;
    expect(first.child.signalCode).toBe('SIGKILL');

    const second = await startReceiver({});
    const retry = await post(second.url);
    expect(retry.status).toBe(200);
    expect(await retry.json()).toMatchObject({ status: 'duplicate', eventId: 'receiver-crash-1' });

    await vi.waitFor(
      () => {
        expect(sink.effects.size).toBe(1);
      },
      { timeout: 30_000, interval: 100 },
    );
    expect([...sink.requests.values()]).toEqual([1]);
  }, 120_000);
});
