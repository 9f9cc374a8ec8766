// Fan-out under failure against the reference destinations themselves (upstreams/saas-sinks, the
// process `npm start` runs, standing in for HubSpot, Slack and Sage): 1,000 signed events, each to
// the CRM (healthy), the chat webhook (its failure injection: 30 % of requests 503) and the
// accounting API (its own rate limit: 429 + Retry-After beyond it, which holds every delivery to
// it until then: nearly all of them get through, where each used to retry on its own and about
// three in four became dead letters). The counts are the sinks' own:
// every (event, destination) is an effect there or a dead letter here, none applied twice, and a
// bulk replay once the chat recovers leaves no dead letter. fan-out.int.test.ts runs the same
// reconciliation on in-test destinations, where each 429's timing can be checked.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRedisServer, type RedisServer } from '@manifold/platform/testing';
import { sign } from './signers.ts';
import {
  startSaasSinks,
  startWebhooks,
  type SaasSinkReport,
  type SaasSinks,
  type TestWebhooks,
} from './support.ts';

const EVENTS = 1_000;
const SINKS = ['crm', 'chat', 'accounting'] as const;
const PATHS = { crm: 'crm/events', chat: 'chat/hooks', accounting: 'accounting/events' };
const SECRET = 'whsec_reference_sinks';
/**
 * The accounting API's limit. A third of the deliveries go there: past 300 deliveries a second in
 * all, it answers 429s. The worker went faster than 500 a second even with a CI run beside it
 * (3,612 requests to the sinks in 6.6 s, the first run of this test). Its 1,000 deliveries take
 * 10 s at least: its Retry-After holds the others.
 */
const ACCOUNTING_PER_SECOND = 100;

let redis: RedisServer;
let sinks: SaasSinks;
let webhooks: TestWebhooks;
/** What set-up started, to stop whatever it got to (last first). */
const started: (() => unknown)[] = [];

beforeAll(async () => {
  redis = await startRedisServer({ appendOnlyDir: mkdtempSync(join(tmpdir(), 'webhooks-aof-')) });
  started.push(() => redis.stop());
  sinks = await startSaasSinks({ SINKS_RATE_LIMIT_PER_SECOND: '100000' });
  started.push(() => {
    sinks.stop();
  });
  await sinks.misbehave({ sink: 'chat', ratio: 0.3, status: 503 });
  await sinks.misbehave({ sink: 'accounting', ratePerSecond: ACCOUNTING_PER_SECOND });
  webhooks = await startWebhooks({
    redisUrl: redis.url,
    file: {
      sources: { stripe: { scheme: 'stripe', secrets: ['STRIPE_SECRET'] } },
      destinations: Object.fromEntries(
        SINKS.map((name) => [name, { url: `${sinks.url}/${PATHS[name]}` }]),
      ),
      routes: [{ source: 'stripe', events: ['invoice.*'], to: [...SINKS] }],
    },
    secrets: { STRIPE_SECRET: SECRET },
    // Four attempts: ~0.3⁴ ≈ 0.8 % of the chat's deliveries die; a 429 holds the accounting API
    // for its Retry-After.
    schedule: [20, 40, 80],
  });
  started.push(() => webhooks.close());
}, 120_000);

afterAll(async () => {
  for (const stop of started.reverse()) await stop();
});

const deliveryCounts = () =>
  webhooks.engine.deliveries.getJobCounts('completed', 'failed', 'waiting', 'active', 'delayed');

describe('1,000 events fanned out to the reference SaaS sinks under failure', () => {
  it('reconciles with the sinks’ own counts, applies nothing twice, and a bulk replay clears the dead letters', async () => {
    for (let start = 0; start < EVENTS; start += 50) {
      const batch = Array.from({ length: Math.min(50, EVENTS - start) }, (_, i) =>
        webhooks.post(
          'stripe',
          sign.stripe(SECRET, { id: `ref-${start + i}`, type: 'invoice.paid' }),
        ),
      );
      for (const response of await Promise.all(batch)) expect(response.status).toBe(202);
    }
    webhooks.startWorkers();
    await vi.waitFor(
      async () => {
        const counts = await deliveryCounts();
        expect(counts['completed']! + counts['failed']!).toBe(EVENTS * SINKS.length);
      },
      { timeout: 120_000, interval: 250 },
    );
    const counts = await deliveryCounts();
    const reports = Object.fromEntries(
      await Promise.all(SINKS.map(async (name) => [name, await sinks.report(name)] as const)),
    ) as Record<(typeof SINKS)[number], SaasSinkReport>;
    for (const name of SINKS) {
      const { effects, repeats } = reports[name];
      // Applied once each: a key the sink applied never came back (no repeat), and no key twice.
      expect(repeats, name).toBe(0);
      expect(new Set(effects.map((effect) => effect.idempotencyKey)).size, name).toBe(
        effects.length,
      );
      // Every delivery to it is an effect there or a dead letter here.
      const deadHere = (await webhooks.deadLetters.list({ destination: name }, { limit: 1 })).total;
      expect(effects.length + deadHere, name).toBe(EVENTS);
    }
    const applied = SINKS.reduce((sum, name) => sum + reports[name].effects.length, 0);
    expect(applied).toBe(counts['completed']);
    expect(applied + counts['failed']!).toBe(EVENTS * SINKS.length);
    // The misbehaviour happened: the chat failed about 30 % of its requests, the accounting API
    // refused with 429, and the healthy CRM took every event once.
    expect(reports.chat.injectedFailures).toBeGreaterThan(EVENTS * 0.2);
    expect(reports.accounting.limited).toBeGreaterThan(0);
    expect(reports.crm.effects).toHaveLength(EVENTS);
    expect(reports.crm.requests).toBe(EVENTS);
    // Its Retry-After held the accounting API's deliveries. A delivery refused four times is a
    // dead letter: without the hold about three in four were (750 of 1,000, 3,300 429s, in
    // dca00e6's CI); with it none or a few (0 of 1,000: 712–714 429s at 50 a second, 296 at this 100).
    const deadAtAccounting = (
      await webhooks.deadLetters.list({ destination: 'accounting' }, { limit: 1 })
    ).total;
    expect(deadAtAccounting).toBeLessThan(EVENTS * 0.05);
    // Dead letters there are (the chat's 30 % failing four times in a row: ~8 expected): the
    // replay below has something to clear.
    expect(counts['failed']).toBeGreaterThan(0);
    process.stdout.write(
      `fan-out to saas-sinks: ${EVENTS} events × ${SINKS.length} = ${EVENTS * SINKS.length}: ` +
        `${counts['completed']} applied (${SINKS.map((name) => `${name} ${reports[name].effects.length}`).join(', ')}) + ` +
        `${counts['failed']} dead letters (accounting ${deadAtAccounting}); requests ${SINKS.map((name) => `${name} ${reports[name].requests}`).join(', ')}; ` +
        `injected 503s ${reports.chat.injectedFailures}, 429s ${reports.accounting.limited}\n`,
    );

    // The chat recovers: a bulk replay (dry run first) sends every dead letter once more.
    await sinks.misbehave({ sink: 'chat', ratio: 0 });
    await sinks.misbehave({ sink: 'accounting', ratePerSecond: 100_000 });
    const dry = await webhooks.deadLetters.replayMatching({}, { dryRun: true });
    expect(dry).toMatchObject({ matched: counts['failed'], held: 0, replayed: 0 });
    expect((await webhooks.deadLetters.replayMatching({}, { dryRun: false })).replayed).toBe(
      counts['failed'],
    );
    await vi.waitFor(
      async () => {
        expect((await deliveryCounts())['completed']).toBe(EVENTS * SINKS.length);
      },
      { timeout: 30_000, interval: 200 },
    );
    expect(await webhooks.deadLetters.count()).toBe(0);
    process.stdout.write(
      `fan-out to saas-sinks: bulk replay of ${counts['failed']} dead letters → 0 left\n`,
    );
    for (const name of SINKS) {
      const { effects, repeats } = await sinks.report(name);
      expect(repeats, name).toBe(0);
      expect(new Set(effects.map((effect) => effect.idempotencyKey)).size, name).toBe(EVENTS);
    }
  }, 240_000);
});
