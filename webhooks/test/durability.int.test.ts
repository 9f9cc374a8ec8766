// Nothing acknowledged is lost: events accepted (202) while no worker runs survive their Redis
// being killed (SIGKILL, AOF on) and restarted, and are all delivered afterwards; while Redis is
// away, a sender is told 503 at once (nothing acknowledged that was not stored).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  installTestTelemetry,
  startRedisServer,
  type RedisServer,
  type TestTelemetry,
} from '@manifold/platform/testing';
import { sign } from './signers.ts';
import { startSink, startWebhooks, type Sink, type TestWebhooks } from './support.ts';

const SECRET = 'gh-durable';
const EVENTS = 200;

let redis: RedisServer;
let sink: Sink;
let webhooks: TestWebhooks;
let telemetry: TestTelemetry;
beforeAll(async () => {
  telemetry = installTestTelemetry();
  redis = await startRedisServer({ appendOnlyDir: mkdtempSync(join(tmpdir(), 'webhooks-aof-')) });
  sink = await startSink(() => ({ status: 200 }));
  webhooks = await startWebhooks({
    redisUrl: redis.url,
    file: {
      sources: { github: { scheme: 'github', secrets: ['GITHUB_SECRET'] } },
      destinations: { chat: { url: sink.url } },
      routes: [{ source: 'github', to: ['chat'] }],
    },
    secrets: { GITHUB_SECRET: SECRET },
  });
});
afterAll(async () => {
  await webhooks.close();
  await sink.close();
  await redis.stop();
  await telemetry.close();
});

describe('a Redis crash with events queued', () => {
  it('loses none of the acknowledged events, and answers 503 STORE_UNAVAILABLE while Redis is down', async () => {
    for (let i = 0; i < EVENTS; i++) {
      const response = await webhooks.post(
        'github',
        sign.github(SECRET, { id: `d-${i}`, type: 'push' }),
      );
      expect(response.status).toBe(202);
    }
    await redis.stop('SIGKILL');

    const refused = await webhooks.post(
      'github',
      sign.github(SECRET, { id: 'during', type: 'push' }),
    );
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    // Counted as such: on-call sees which source's senders are being turned away.
    const received = async (outcome: string) =>
      (await telemetry.points('manifold.webhooks.received'))
        .filter((point) => point.attributes['outcome'] === outcome)
        .reduce((total, point) => total + (point.value as number), 0);
    expect(await received('unavailable')).toBe(1);
    expect(await received('accepted')).toBe(EVENTS);
    const health = await fetch(`${webhooks.url}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ code: 'NOT_READY' });
    const letters = await fetch(`${webhooks.url}/api/v1/dead-letters`);
    expect(letters.status).toBe(503);
    expect(await letters.json()).toMatchObject({ code: 'STORE_UNAVAILABLE' });

    await redis.start();
    await vi.waitFor(
      async () => {
        expect(await webhooks.engine.deliveries.getWaitingCount()).toBe(EVENTS);
      },
      { timeout: 20_000, interval: 200 },
    );
    webhooks.startWorkers();
    await vi.waitFor(
      () => {
        expect(sink.effects.size).toBe(EVENTS);
      },
      { timeout: 60_000, interval: 200 },
    );
    // Each sent once: none was delivered twice after the restart.
    expect(sink.repeats.size).toBe(0);
    expect(sink.sent()).toBe(EVENTS);
    // The sender's retry of a stored event is still recognised after the restart.
    const again = await webhooks.post('github', sign.github(SECRET, { id: 'd-0', type: 'push' }));
    expect(again.status).toBe(200);
  });
});
