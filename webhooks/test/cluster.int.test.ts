// The webhooks queue on a Redis Cluster (WEBHOOKS_REDIS_CLUSTER): three masters with AOF, the
// service reached through a node that does not hold the queue's slot. Signed events are accepted
// once (a resend is a duplicate), delivered once each, dead-lettered where a destination fails,
// recorded into the queue by another service, and replayed in bulk; deliveries in flight complete
// while the master holding the queue restarts; the start-up check reads every node, and refuses a
// Cluster node named as a single server, the setting on a single server and a URL with a database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@manifold/platform/config';
import { connectQueueRedis } from '@manifold/platform/dead-letters';
import { requireRedis, startRedisCluster, type RedisCluster } from '@manifold/platform/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort, runUntilExit, startService } from '../../test/e2e/support/processes.ts';
import { createEngine } from '../src/engine/queues.ts';
import { checkQueueRedis } from '../src/engine/redis-check.ts';
import { recordSupplierOrder } from './recorded-request-job.ts';
import { sign } from './signers.ts';
import {
  startSink,
  startWebhooks,
  writeWebhooksFile,
  type Sink,
  type TestWebhooks,
} from './support.ts';

const SECRET = 'whsec_cluster';
const EVENTS = 30;
const PREFIX = '{webhooks-cluster}';

const aofDir = mkdtempSync(join(tmpdir(), 'webhooks-cluster-'));
let cluster: RedisCluster;
/** The master holding the queue's slot, and one that does not (the service is pointed at it). */
let owner: string;
let elsewhere: string;
const plain: Redis[] = [];
let crm: Sink;
let ledger: Sink;
let webhooks: TestWebhooks;

/** The service's settings on the Redis at `url`: the crm as its one destination. */
const serviceEnv = (url: string, prefix: string) => ({
  WEBHOOKS_REDIS_URL: url,
  WEBHOOKS_QUEUE_PREFIX: prefix,
  WEBHOOKS_WORKERS: 'false',
  WEBHOOKS_FILE: writeWebhooksFile({
    sources: { stripe: { scheme: 'stripe', secrets: ['STRIPE_SECRET'] } },
    destinations: { crm: { url: crm.url } },
    routes: [{ source: 'stripe', to: ['crm'] }],
  }),
  STRIPE_SECRET: SECRET,
});

/** A single-server client of one node (as a user who forgot WEBHOOKS_REDIS_CLUSTER would have). */
const nodeClient = (url: string) => {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  client.on('error', () => undefined); // a node stopped by a test
  plain.push(client);
  return client;
};

beforeAll(async () => {
  cluster = await startRedisCluster({ appendOnlyDir: aofDir });
  const any = nodeClient(cluster.url);
  const slot = Number(await any.call('CLUSTER', 'KEYSLOT', PREFIX));
  const ranges = (await any.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
  const holder = ranges.find(([from, to]) => slot >= from && slot <= to);
  if (!holder) throw new Error(`no node holds slot ${String(slot)}`);
  owner = `redis://127.0.0.1:${String(holder[2][1])}`;
  elsewhere = cluster.nodes.find((url) => url !== owner) ?? '';
  crm = await startSink(() => ({ status: 200 }));
  ledger = await startSink(() => ({ status: 503 }));
  webhooks = await startWebhooks({
    redisUrl: elsewhere,
    cluster: true,
    prefix: PREFIX,
    file: {
      sources: { stripe: { scheme: 'stripe', secrets: ['STRIPE_SECRET'] } },
      destinations: { crm: { url: crm.url }, ledger: { url: ledger.url } },
      routes: [{ source: 'stripe', events: ['invoice.*'], to: ['crm', 'ledger'] }],
    },
    secrets: { STRIPE_SECRET: SECRET },
  });
}, 60_000);
afterAll(async () => {
  await webhooks.close();
  await crm.close();
  await ledger.close();
  for (const client of plain) client.disconnect();
  await cluster.stop();
  rmSync(aofDir, { recursive: true, force: true });
});

describe('the webhooks queue on a Redis Cluster', () => {
  it('accepts, delivers, dead-letters and replays through a node that does not hold its slot', async () => {
    expect(elsewhere).not.toBe(owner);
    const events = Array.from({ length: EVENTS }, (_, index) =>
      sign.stripe(SECRET, { id: `evt-${String(index)}`, type: 'invoice.paid' }),
    );
    const statuses = await Promise.all(
      events.map(async (event) => (await webhooks.post('stripe', event)).status),
    );
    expect(statuses).toEqual(events.map(() => 202));
    // A sender's resend: recognised, nothing added.
    expect((await webhooks.post('stripe', events[0]!)).status).toBe(200);
    // Every key of the queue is on the master that holds the prefix's slot.
    expect(await nodeClient(owner).exists(`${PREFIX}:deliveries:id`)).toBe(1);
    expect(await nodeClient(elsewhere).dbsize()).toBe(0);

    webhooks.startWorkers();
    await vi.waitFor(
      async () => {
        expect(crm.effects.size).toBe(EVENTS);
        expect(await webhooks.deadLetters.count()).toBe(EVENTS);
      },
      { timeout: 30_000, interval: 200 },
    );
    expect([...crm.requests.values()].every((count) => count === 1)).toBe(true);

    // Another service records a failed supplier order into the same queue, through any node.
    const recorded = await recordSupplierOrder({
      redisUrl: elsewhere,
      prefix: PREFIX,
      supplierUrl: 'http://127.0.0.1:9/soap',
      reference: 'PO-CLUSTER',
      cluster: true,
    });
    await vi.waitFor(
      async () => {
        expect(await webhooks.deadLetters.count()).toBe(EVENTS + 1);
      },
      { timeout: 10_000 },
    );
    const listed = await webhooks.deadLetters.list({ source: 'soap-proxy' });
    expect(listed.items.map(({ id }) => id)).toEqual([recorded]);

    // The ledger recovers: a bulk replay sends its letters again, once each; the order stays.
    ledger.answer.current = () => ({ status: 200 });
    const dry = await webhooks.deadLetters.replayMatching({}, { dryRun: true });
    expect(dry).toMatchObject({ matched: EVENTS + 1, held: 1, replayed: 0 });
    expect(await webhooks.deadLetters.replayMatching({}, { dryRun: false })).toMatchObject({
      replayed: EVENTS,
    });
    await vi.waitFor(
      async () => {
        expect(ledger.effects.size).toBe(EVENTS);
        expect(await webhooks.deadLetters.count()).toBe(1);
      },
      { timeout: 30_000, interval: 200 },
    );
  }, 90_000);

  it('checks every node at start, and refuses a Cluster node named as a single server, in the service and the CLI', async () => {
    expect(await checkQueueRedis(webhooks.engine.redis, elsewhere)).toEqual({
      appendfsync: 'always',
    });

    // Without WEBHOOKS_REDIS_CLUSTER the node is reached as a single server: the engine is not
    // ready, and says which setting to change, rather than every command failing with MOVED.
    const single = createEngine({ url: elsewhere, prefix: '{webhooks-cluster-single}' });
    try {
      const refused = await single.ready(10_000).catch((caught: unknown) => caught);
      expect(refused).toBeInstanceOf(ConfigError);
      expect((refused as ConfigError).problems).toEqual([
        expect.stringMatching(/is a node of a Redis Cluster: set WEBHOOKS_REDIS_CLUSTER=true/),
      ]);
    } finally {
      await single.close();
    }
    // The CLI likewise: a configuration problem (exit 2), said before any command runs.
    const cli = await runUntilExit(
      'webhooks/src/cli.ts',
      {
        WEBHOOKS_REDIS_URL: elsewhere,
        WEBHOOKS_QUEUE_PREFIX: PREFIX,
        WEBHOOKS_FILE: webhooks.file,
      },
      { args: ['dead-letters', 'list'] },
    );
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/is a node of a Redis Cluster: set WEBHOOKS_REDIS_CLUSTER=true/);
    expect(cli.stderr).not.toMatch(/MOVED/);

    // A master that neither holds the queue's slot nor was named may evict: refused, naming it.
    const third = cluster.nodes.find((url) => url !== owner && url !== elsewhere) ?? '';
    const evicting = nodeClient(third);
    await evicting.config('SET', 'maxmemory-policy', 'allkeys-lru');
    try {
      const error = await checkQueueRedis(webhooks.engine.redis, elsewhere).catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([
        expect.stringMatching(
          new RegExp(
            `Redis at 127\\.0\\.0\\.1:${new URL(third).port} has maxmemory-policy allkeys-lru`,
          ),
        ),
      ]);
    } finally {
      await evicting.config('SET', 'maxmemory-policy', 'noeviction');
    }
  });

  it('runs the service process on the Cluster with WEBHOOKS_REDIS_CLUSTER=true, and stops it without', async () => {
    const env = serviceEnv(elsewhere, '{webhooks-cluster-start}');
    const { code, stderr } = await runUntilExit('webhooks/src/main.ts', env);
    expect(code).toBe(1);
    expect(stderr).toMatch(/is a node of a Redis Cluster: set WEBHOOKS_REDIS_CLUSTER=true/);

    // Past the checks (every master's durability, BullMQ's add script loaded) and taking events.
    const service = await startService({
      name: 'webhooks',
      entry: 'webhooks/src/main.ts',
      port: await freePort(),
      env: { ...env, WEBHOOKS_REDIS_CLUSTER: 'true' },
      readyPath: '/healthz',
      readyTimeoutMs: 30_000,
    });
    try {
      const event = sign.stripe(SECRET, { id: 'evt-process', type: 'invoice.paid' });
      const post = () =>
        fetch(`${service.url}/hooks/stripe`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...event.headers },
          body: event.body,
        });
      expect((await post()).status).toBe(202);
      expect((await post()).status).toBe(200);
      const health = await fetch(`${service.url}/healthz`);
      expect(await health.json()).toMatchObject({
        status: 'ok',
        queues: { deliveries: { waiting: 1, failed: 0 } },
      });
    } finally {
      await service.stop();
    }
  }, 60_000);

  it('refuses WEBHOOKS_REDIS_CLUSTER=true on a single server, and a Cluster URL with a database', async () => {
    const { code, stderr } = await runUntilExit('webhooks/src/main.ts', {
      ...serviceEnv(await requireRedis(), '{webhooks-cluster-single}'),
      WEBHOOKS_REDIS_CLUSTER: 'true',
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/is not a node of a Redis Cluster: unset WEBHOOKS_REDIS_CLUSTER/);

    expect(() =>
      connectQueueRedis(`${elsewhere}/2`, { cluster: true, connection: { lazyConnect: true } }),
    ).toThrow(ConfigError);
  }, 60_000);

  it('completes deliveries in flight while the master holding the queue restarts', async () => {
    const [ownerServer] = cluster.servers.filter((server) => server.url === owner);
    if (!ownerServer) throw new Error('no server for the slot owner');
    const completed = await webhooks.engine.deliveries.getCompletedCount();
    const before = crm.effects.size;
    const events = Array.from({ length: 20 }, (_, index) =>
      sign.stripe(SECRET, { id: `evt-restart-${String(index)}`, type: 'invoice.paid' }),
    );
    // The crm applies each at once and answers 1.5 s later: the deliveries are in flight when the
    // master goes, and their completions are written while it is away.
    crm.answer.current = () => ({ status: 200, delayMs: 1_500 });
    for (const event of events) expect((await webhooks.post('stripe', event)).status).toBe(202);
    await vi.waitFor(
      () => {
        expect(crm.effects.size).toBe(before + events.length);
      },
      { timeout: 10_000, interval: 50 },
    );
    // Away for longer than a Cluster client's default retries last (16 × 100 ms).
    await ownerServer.stop('SIGKILL');
    const stoppedAt = Date.now();
    // While it is away the service is not ready, and an event is refused for now (the sender
    // retries), though the client is still connected to the other two masters: each answer came
    // after about 1 s here (the Cluster client's retries), so the master stays away 3 s in all.
    const health = await fetch(`${webhooks.url}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ code: 'NOT_READY' });
    const refused = await webhooks.post(
      'stripe',
      sign.stripe(SECRET, { id: 'evt-while-away', type: 'invoice.paid' }),
    );
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, stoppedAt + 3_000 - Date.now())),
    );
    await ownerServer.start();
    // Every delivery completed after the restart: none waits for its lock (30 s) to expire and be
    // sent again (each destination's 20: crm and ledger).
    await vi.waitFor(
      async () => {
        expect(await webhooks.engine.deliveries.getCompletedCount()).toBe(
          completed + 2 * events.length,
        );
      },
      { timeout: 20_000, interval: 250 },
    );
    expect([...crm.repeats.values()].reduce((sum, count) => sum + count, 0)).toBe(0);
    await vi.waitFor(
      async () => {
        expect((await fetch(`${webhooks.url}/healthz`)).status).toBe(200);
      },
      { timeout: 10_000, interval: 100 },
    );
  }, 90_000);
});
