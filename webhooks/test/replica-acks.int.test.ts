// WEBHOOKS_ACK_REPLICAS: a 202 stands for the event on the replicas too, not only in the AOF of the
// server that answered. A master with AOF and one replica, both real redis-server processes, and
// two service processes as `npm start` runs them: with the replica frozen (SIGSTOP), an event is
// stored on the master but refused 503 — a failover then would have lost an acknowledged event —
// and so are the sender's retries, to the same process or another (a duplicate waits too: another
// process stored it); once the replica is back, the retry gets 200 duplicate, the event on the
// replica, stored once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startRedisServer, type RedisServer } from '@manifold/platform/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  runUntilExit,
  startService,
  type ServiceProcess,
} from '../../test/e2e/support/processes.ts';
import { receiptKey } from '../src/delivery/receipts.ts';
import { deliveryKey, eventKey } from '../src/engine/ids.ts';
import { sign } from './signers.ts';
import { urlOfUserWithout, writeWebhooksFile } from './support.ts';

const SECRET = 'gh-replica-acks';
const PREFIX = '{replica-acks}';

const aofDir = mkdtempSync(join(tmpdir(), 'webhooks-replica-acks-'));
let master: RedisServer;
let replica: RedisServer;
let onMaster: Redis;
let onReplica: Redis;
let service: ServiceProcess;
let other: ServiceProcess;
/** What afterAll stops: whatever beforeAll got to start. */
const started: ServiceProcess[] = [];
let env: Record<string, string>;

const post = (id: string, to = service) => {
  const signed = sign.github(SECRET, { id, type: 'push' });
  return fetch(`${to.url}/hooks/github`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signed.headers },
    body: signed.body,
  });
};
const receipt = (id: string) => receiptKey(PREFIX, eventKey('github', id));
const job = (id: string) => `${PREFIX}:deliveries:${deliveryKey(eventKey('github', id), 'chat')}`;

beforeAll(async () => {
  master = await startRedisServer({ appendOnlyDir: mkdtempSync(join(aofDir, 'master-')) });
  replica = await startRedisServer({
    appendOnlyDir: mkdtempSync(join(aofDir, 'replica-')),
    replicaOf: master.url,
  });
  onMaster = new Redis(master.url);
  onReplica = new Redis(replica.url);
  env = {
    WEBHOOKS_REDIS_URL: master.url,
    WEBHOOKS_QUEUE_PREFIX: PREFIX,
    // No worker: the jobs stay as added, to be counted.
    WEBHOOKS_WORKERS: 'false',
    WEBHOOKS_FILE: writeWebhooksFile({
      sources: { github: { scheme: 'github', secrets: ['WEBHOOKS_GITHUB_SECRET'] } },
      destinations: { chat: { url: 'http://127.0.0.1:9/events' } },
      routes: [{ source: 'github', to: ['chat'] }],
    }),
    WEBHOOKS_GITHUB_SECRET: SECRET,
    WEBHOOKS_ACK_REPLICAS: '1',
    WEBHOOKS_ACK_REPLICAS_TIMEOUT_MS: '300',
  };
  const start = async () => {
    const running = await startService({
      name: 'webhooks',
      entry: 'webhooks/src/main.ts',
      port: await freePort(),
      env,
      readyPath: '/healthz',
    });
    started.push(running);
    return running;
  };
  [service, other] = await Promise.all([start(), start()]);
});
afterAll(async () => {
  await Promise.all(started.map((each) => each.stop()));
  onMaster.disconnect();
  onReplica.disconnect();
  await replica.stop();
  await master.stop();
  rmSync(aofDir, { recursive: true, force: true });
});

describe('WEBHOOKS_ACK_REPLICAS=1', () => {
  it('accepts (202) while the replica keeps up, the event on the replica when the answer comes', async () => {
    expect((await post('replicated')).status).toBe(202);
    // Read at once, no waiting. Replication is fast here, so without the WAIT this would mostly
    // hold too: the next test, with the replica frozen, is the one that tells the two apart.
    expect(await onReplica.exists(receipt('replicated'), job('replicated'))).toBe(2);
  });

  it('refuses an event the replica does not get (503 STORE_UNAVAILABLE), and its retries, here or at another process, until it has it', async () => {
    replica.pause();
    try {
      const refused = await post('replica-paused');
      expect(refused.status).toBe(503);
      expect(await refused.json()).toMatchObject({ code: 'STORE_UNAVAILABLE' });
      // Stored on the master (the write was made), and not acknowledged.
      expect(await onMaster.exists(receipt('replica-paused'), job('replica-paused'))).toBe(2);
      // The retries find it stored, and still wait: the replica has not got it.
      for (const to of [service, other])
        expect((await post('replica-paused', to)).status, to.url).toBe(503);
    } finally {
      replica.resume();
    }
    await vi.waitFor(
      async () => {
        expect(await onReplica.exists(receipt('replica-paused'), job('replica-paused'))).toBe(2);
      },
      { timeout: 10_000, interval: 50 },
    );
    const retry = await post('replica-paused', other);
    expect(retry.status).toBe(200);
    expect(await retry.json()).toMatchObject({ status: 'duplicate' });
    expect(await onReplica.exists(receipt('replica-paused'), job('replica-paused'))).toBe(2);
    // Stored once: one job for the event, as for any duplicate.
    expect(
      await onMaster.keys(`${PREFIX}:deliveries:${eventKey('github', 'replica-paused')}*`),
    ).toEqual([job('replica-paused')]);
  });

  it('will not start for a Redis user that may not run WAIT: every event would be refused', async () => {
    const { code, stderr } = await runUntilExit('webhooks/src/main.ts', {
      ...env,
      WEBHOOKS_REDIS_URL: await urlOfUserWithout(onMaster, master.url, 'wait'),
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/WEBHOOKS_ACK_REPLICAS: .* may not run SET on .* and WAIT \(NOPERM/);
  });

  it('is refused with WEBHOOKS_REDIS_CLUSTER (WAIT would not reach the slot owner)', async () => {
    const { code, stderr } = await runUntilExit('webhooks/src/main.ts', {
      ...env,
      WEBHOOKS_REDIS_CLUSTER: 'true',
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/WEBHOOKS_ACK_REPLICAS: not available with WEBHOOKS_REDIS_CLUSTER/);
  });
});
