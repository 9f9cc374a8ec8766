// Fan-out under failure: 1,000 signed events, each to three destinations — one healthy, one
// failing 30 % of requests, one answering 429 with Retry-After (which holds every delivery to it
// until then, destination-states.ts) — through the real queue on a private Redis with AOF. Every
// delivery ends done or dead-lettered, none twice at any destination (by Idempotency-Key), the
// counts reconcile exactly, and a bulk replay clears the dead letters.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRedisServer, type RedisServer } from '@manifold/platform/testing';
import { sign } from './signers.ts';
import { startSink, startWebhooks, type Sink, type TestWebhooks } from './support.ts';

const EVENTS = 1_000;
const DESTINATIONS = ['steady', 'flaky', 'limited'] as const;
const SECRET = 'whsec_fan_out';
/** Retry-After the limited destination asks for, in seconds. */
const RETRY_AFTER_SECONDS = 1;

/** A deterministic "30 %": mulberry32 seeded, one draw per request. */
function seeded(seed: number) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

let redis: RedisServer;
let webhooks: TestWebhooks;
const sinks = {} as Record<(typeof DESTINATIONS)[number], Sink>;
/** Keys the limited destination answered 429, with when. */
const limitedAt = new Map<string, number>();

beforeAll(async () => {
  redis = await startRedisServer({ appendOnlyDir: mkdtempSync(join(tmpdir(), 'webhooks-aof-')) });
  const draw = seeded(12);
  sinks.steady = await startSink(() => ({ status: 204 }));
  // 30 % of requests fail; evt-7's always do (until it recovers), so there is a dead letter to inspect.
  sinks.flaky = await startSink(({ body }) => ({
    status: draw() < 0.3 || body.includes('"evt-7"') ? 503 : 200,
  }));
  // Every hundredth event is refused once, with Retry-After — which holds every delivery to the
  // destination for that second: one every fifth, as this test had before holds, made the run
  // wait out some 200 of them (20 s more).
  sinks.limited = await startSink(({ key, attempt, body }) => {
    const n = Number((JSON.parse(body) as { id: string }).id.split('-')[1]);
    if (attempt === 1 && n % 100 === 0) {
      limitedAt.set(key, Date.now());
      return { status: 429, headers: { 'retry-after': String(RETRY_AFTER_SECONDS) } };
    }
    return { status: 200 };
  });
  webhooks = await startWebhooks({
    redisUrl: redis.url,
    file: {
      sources: { stripe: { scheme: 'stripe', secrets: ['STRIPE_SECRET'] } },
      destinations: Object.fromEntries(
        DESTINATIONS.map((name) => [name, { url: sinks[name].url }]),
      ),
      routes: [{ source: 'stripe', events: ['invoice.*'], to: [...DESTINATIONS] }],
    },
    secrets: { STRIPE_SECRET: SECRET },
    // Four attempts in all: ~0.3⁴ ≈ 0.8 % of the flaky destination's deliveries die.
    schedule: [20, 40, 80],
  });
}, 120_000);

afterAll(async () => {
  await webhooks.close();
  await Promise.all(Object.values(sinks).map((sink) => sink.close()));
  await redis.stop();
});

describe('1,000 events fanned out to three destinations under failure', () => {
  it('delivers or dead-letters each (event, destination) exactly once, and a bulk replay clears the dead letters', async () => {
    // Ingest, 50 senders at a time.
    const statuses: number[] = [];
    for (let start = 0; start < EVENTS; start += 50) {
      const batch = Array.from({ length: Math.min(50, EVENTS - start) }, (_, i) =>
        webhooks.post(
          'stripe',
          sign.stripe(SECRET, { id: `evt-${start + i}`, type: 'invoice.paid' }),
        ),
      );
      statuses.push(...(await Promise.all(batch)).map((response) => response.status));
    }
    expect(statuses.filter((status) => status === 202)).toHaveLength(EVENTS);

    webhooks.startWorkers();
    const { deliveries } = webhooks.engine;
    await vi.waitFor(
      async () => {
        const counts = await deliveries.getJobCounts(
          'completed',
          'failed',
          'waiting',
          'active',
          'delayed',
        );
        expect(counts['completed']! + counts['failed']!).toBe(EVENTS * DESTINATIONS.length);
      },
      { timeout: 90_000, interval: 250 },
    );
    const counts = await deliveries.getJobCounts(
      'completed',
      'failed',
      'waiting',
      'active',
      'delayed',
    );
    // None duplicated: no destination was sent a delivery again after it had taken it (the sinks
    // honour Idempotency-Key, so a second effect could not show; a repeated request does).
    for (const name of DESTINATIONS) expect(sinks[name].repeats.size, name).toBe(0);
    // Each sent exactly as often as it had to be: steady once per event, limited once more for
    // each 429, flaky at most once per attempt.
    expect(sinks.steady.sent()).toBe(EVENTS);
    expect(limitedAt.size).toBe(EVENTS / 100);
    expect(sinks.limited.sent()).toBe(EVENTS + limitedAt.size);
    expect(Math.max(...sinks.flaky.requests.values())).toBeLessThanOrEqual(4);
    const applied = DESTINATIONS.reduce((sum, name) => sum + sinks[name].effects.size, 0);
    // Reconciled: every delivery is either an effect at its destination or a dead letter.
    expect(applied).toBe(counts['completed']);
    expect(applied + counts['failed']!).toBe(EVENTS * DESTINATIONS.length);
    expect(sinks.steady.effects.size).toBe(EVENTS);
    expect(sinks.limited.effects.size).toBe(EVENTS);
    // The flaky one has dead letters (30 % failing four times in a row is rare, not impossible).
    const dead = await webhooks.deadLetters.list({}, { limit: 1_000 });
    expect(dead.total).toBe(counts['failed']);
    expect(dead.items.every((letter) => letter.destination === 'flaky')).toBe(true);
    // Retry-After honoured: nothing came back to the limited destination sooner than it asked.
    for (const [key, refusedAt] of limitedAt) {
      const retriedAt = sinks.limited.arrivals.get(key)?.[1];
      expect(retriedAt).toBeDefined();
      expect(retriedAt! - refusedAt).toBeGreaterThanOrEqual(RETRY_AFTER_SECONDS * 1000 - 50);
    }
    process.stdout.write(
      `fan-out: ${EVENTS} events × ${DESTINATIONS.length} destinations = ${EVENTS * DESTINATIONS.length}: ` +
        `${counts['completed']} delivered (${DESTINATIONS.map((name) => `${name} ${sinks[name].effects.size}`).join(', ')}) + ` +
        `${counts['failed']} dead letters; requests ${DESTINATIONS.map((name) => `${name} ${sinks[name].sent()}`).join(', ')}; 429s ${limitedAt.size}\n`,
    );
    // A dead letter carries its payload and its four attempts.
    const seven = dead.items.find((letter) => letter.eventId === 'evt-7');
    expect(seven).toBeDefined();
    const detail = await webhooks.deadLetters.get(seven!.id);
    expect(detail.payload).toContain('"evt-7"');
    expect(detail.history.map((attempt) => attempt.status)).toEqual([503, 503, 503, 503]);
    expect(detail.history.map((attempt) => attempt.attempt)).toEqual([1, 2, 3, 4]);
    expect(detail.history.every((attempt) => attempt.error === 'HTTP 503')).toBe(true);

    // The flaky destination recovers; a dry run counts, the replay clears the queue.
    sinks.flaky.answer.current = () => ({ status: 200 });
    const dry = await webhooks.deadLetters.replayMatching(
      { destination: 'flaky' },
      { dryRun: true },
    );
    expect(dry).toMatchObject({ dryRun: true, matched: dead.total, replayed: 0 });
    const replay = await webhooks.deadLetters.replayMatching(
      { destination: 'flaky' },
      { dryRun: false },
    );
    expect(replay.replayed).toBe(dead.total);
    await vi.waitFor(
      async () => {
        expect(await deliveries.getCompletedCount()).toBe(EVENTS * DESTINATIONS.length);
      },
      { timeout: 30_000, interval: 200 },
    );
    expect(await webhooks.deadLetters.count()).toBe(0);
    expect(sinks.flaky.effects.size).toBe(EVENTS);
    for (const name of DESTINATIONS) expect(sinks[name].repeats.size, name).toBe(0);
    // Replays kept the original Idempotency-Key: no key the sinks never saw before.
    for (const letter of dead.items)
      expect(sinks.flaky.requests.get(letter.idempotencyKey)).toBe(5);
    process.stdout.write(
      `fan-out: bulk replay of ${replay.replayed} dead letters → 0 left, flaky ${sinks.flaky.effects.size} effects\n`,
    );
  }, 240_000);
});
