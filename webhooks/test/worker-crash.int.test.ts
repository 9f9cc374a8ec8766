// A worker process SIGKILLed while a delivery is in flight — the destination already acted, its
// answer never read: after a new worker takes the job over, the delivery completes with the same
// Idempotency-Key and the destination shows exactly one effect. And while a recorded request's
// replay is out to an upstream that knows no Idempotency-Key: the new worker does not send it again.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRedisServer, type RedisServer } from '@manifold/platform/testing';
import { nodeArgs } from '../../scripts/node-args.ts';
import { recordSupplierOrder } from './recorded-request-job.ts';
import { sign } from './signers.ts';
import {
  startSink,
  startWebhooks,
  writeWebhooksFile,
  type Sink,
  type TestWebhooks,
} from './support.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SECRET = 'shp-crash';

let redis: RedisServer;
let sink: Sink;
/** A supplier that takes a request and never answers. */
let supplier: Sink;
let webhooks: TestWebhooks;
const file = (url: string) => ({
  sources: { shopify: { scheme: 'shopify', secrets: ['SHOPIFY_SECRET'] } },
  destinations: { accounting: { url, timeoutMs: 60_000 } },
  routes: [{ source: 'shopify', to: ['accounting'] }],
});
const workers: ChildProcess[] = [];

function startWorker(): ChildProcess {
  const child = spawn(process.execPath, nodeArgs('webhooks/src/worker.ts'), {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      WEBHOOKS_REDIS_URL: redis.url,
      WEBHOOKS_QUEUE_PREFIX: webhooks.engine.prefix,
      WEBHOOKS_FILE: writeWebhooksFile(file(sink.url)),
      WEBHOOKS_LOCK_MS: '2000',
      WEBHOOKS_RETRY_SCHEDULE: '50ms',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  workers.push(child);
  return child;
}

/** SIGKILLs a worker (one already gone is left as it is) and waits for it to exit. */
async function kill(worker: ChildProcess): Promise<void> {
  if (worker.exitCode !== null || worker.signalCode !== null) return;
  const exited = once(worker, 'exit');
  worker.kill('SIGKILL');
  await exited;
}

/** Kills `worker` and starts another, which takes its stalled job over; waits until `done` holds. */
async function replaceAfterKill(worker: ChildProcess, done: () => Promise<void>): Promise<void> {
  await kill(worker);
  startWorker();
  await vi.waitFor(done, { timeout: 60_000, interval: 200 });
}

beforeAll(async () => {
  redis = await startRedisServer({ appendOnlyDir: mkdtempSync(join(tmpdir(), 'webhooks-aof-')) });
  // The first request is acted on but never answered; a later one with its key is a repeat.
  sink = await startSink(({ attempt }) => (attempt === 1 ? 'hang' : { status: 200 }));
  supplier = await startSink(() => 'hang');
  webhooks = await startWebhooks({
    redisUrl: redis.url,
    file: file(sink.url),
    secrets: { SHOPIFY_SECRET: SECRET },
  });
});
afterAll(async () => {
  for (const worker of workers) if (worker.exitCode === null) worker.kill('SIGKILL');
  await webhooks.close();
  await sink.close();
  await supplier.close();
  await redis.stop();
});

describe('a worker killed mid-delivery', () => {
  it('completes the delivery after restart with exactly one effect at the destination', async () => {
    const response = await webhooks.post(
      'shopify',
      sign.shopify(SECRET, { id: 'crash-1', type: 'orders/paid' }),
    );
    expect(response.status).toBe(202);

    const first = startWorker();
    await vi.waitFor(
      () => {
        expect(sink.requests.size).toBe(1);
      },
      // A worker process starts in a few seconds — far longer on a loaded machine.
      { timeout: 60_000, interval: 100 },
    );
    await replaceAfterKill(first, async () => {
      expect(await webhooks.engine.deliveries.getCompletedCount()).toBe(1);
    });
    const [key] = [...sink.requests.keys()];
    expect(sink.requests.get(key!)).toBe(2); // sent again after the crash, with the same key
    expect(sink.effects.has(key!)).toBe(true); // acted on the first time
    expect(sink.repeats.get(key!)).toBe(1); // and the second request applied nothing
    expect(await webhooks.deadLetters.count()).toBe(0);
  }, 150_000);
});

describe('a worker killed while a recorded request’s replay is out', () => {
  it('does not send it again after restart: a dead letter again, to be checked at the upstream', async () => {
    // Only the workers this test starts: the one it kills must be the one with the replay out.
    for (const worker of workers.splice(0)) await kill(worker);
    // A PlaceSupplierOrder that timed out after it was sent, as soap-proxy records it.
    const id = await recordSupplierOrder({
      redisUrl: redis.url,
      prefix: webhooks.engine.prefix,
      supplierUrl: supplier.url,
      reference: 'PO-CRASH-1',
    });

    const first = startWorker();
    await vi.waitFor(
      async () => {
        expect(await webhooks.engine.deliveries.getJobState(id)).toBe('failed');
      },
      { timeout: 60_000, interval: 100 },
    );
    const replay = () =>
      fetch(`${webhooks.url}/api/v1/dead-letters/${id}/replay`, { method: 'POST' });
    expect((await replay()).status).toBe(202);
    await vi.waitFor(
      () => {
        expect(supplier.received).toHaveLength(1);
      },
      { timeout: 30_000, interval: 100 },
    );
    await replaceAfterKill(first, async () => {
      expect(await webhooks.engine.deliveries.getJobState(id)).toBe('failed');
    });
    expect(supplier.received).toHaveLength(1);
    const letter = await webhooks.deadLetters.get(id);
    expect(letter.history.at(-1)).toMatchObject({
      attempt: 2,
      error: expect.stringContaining('replay interrupted') as unknown,
    });
    // Replayed once already: a second replay is refused.
    expect((await replay()).status).toBe(409);
    expect(supplier.received).toHaveLength(1);
  }, 150_000);
});
