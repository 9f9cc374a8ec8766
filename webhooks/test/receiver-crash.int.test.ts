// The receiver SIGKILLed between persist and answer: a real webhooks process, its Redis reached
// through a proxy (redis-reply-interceptor.ts), stores the event; the proxy, holding Redis's answer
// to that write (given once it is in the AOF), kills the process before the answer reaches it — so
// no 202 can have been written. The sender saw no answer, so it sends again: a new process on the
// same Redis (AOF on) answers 200 duplicate, and the destination receives the event exactly once.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort, startRedisServer, type RedisServer } from '@manifold/platform/testing';
import { startService, type ServiceProcess } from '../../test/e2e/support/processes.ts';
import { receiptKey } from '../src/delivery/receipts.ts';
import { eventKey } from '../src/engine/ids.ts';
import { startRedisReplyInterceptor } from './redis-reply-interceptor.ts';
import { sign } from './signers.ts';
import { startSink, writeWebhooksFile, type Sink } from './support.ts';

const SECRET = 'gh-receiver-crash';
const PREFIX = '{receiver-crash}';
const EVENT_ID = 'receiver-crash-1';

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
      WEBHOOKS_QUEUE_PREFIX: PREFIX,
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
    const request = sign.github(SECRET, { id: EVENT_ID, type: 'push' });
    // The event's write: the one command naming its receipt (claim-and-add.ts).
    const receipt = receiptKey(PREFIX, eventKey('github', EVENT_ID));
    const post = (url: string) =>
      fetch(`${url}/hooks/github`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...request.headers },
        body: request.body,
      });
    let first: ServiceProcess | undefined;
    const interceptor = await startRedisReplyInterceptor({
      target: redis.url,
      picks: (args) => args.some((arg) => arg.toString() === receipt),
      onReply: () => first?.child.kill('SIGKILL'),
    });
    try {
      // No workers in the first process: the event stays queued, untouched, when it dies.
      first = await startReceiver({
        WEBHOOKS_REDIS_URL: interceptor.url,
        WEBHOOKS_WORKERS: 'false',
      });
      await expect(post(first.url)).rejects.toThrow(); // the connection dropped: no answer at all
      await first.exited;
      expect(interceptor.intercepted()).toBe(true);
      expect(first.child.signalCode).toBe('SIGKILL');
      // Stored before the kill: Redis had answered the write.
      const reader = new Redis(redis.url);
      try {
        expect(await reader.exists(receipt)).toBe(1);
      } finally {
        reader.disconnect();
      }
    } finally {
      await interceptor.close();
    }

    const second = await startReceiver({});
    const retry = await post(second.url);
    expect(retry.status).toBe(200);
    expect(await retry.json()).toMatchObject({ status: 'duplicate', eventId: EVENT_ID });

    await vi.waitFor(
      () => {
        expect(sink.effects.size).toBe(1);
      },
      { timeout: 30_000, interval: 100 },
    );
    expect([...sink.requests.values()]).toEqual([1]);
  }, 120_000);
});
