import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startPhpServer,
  startRedisServer,
  type PhpServer,
  type RedisServer,
} from '@manifold/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, REPO_ROOT, startService, type ServiceProcess } from '../support/processes.ts';
import { startStack, type Stack } from '../support/stack.ts';
import { e2eAccess } from '../support/access.ts';

const OUTAGE_MS = 10_000;
const scratch = () => mkdtempSync(join(tmpdir(), 'redis-outage-'));

/** Warning-or-worse lines a service wrote (pino JSON, level ≥ 40). */
const warnings = (service: ServiceProcess) =>
  service
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; msg: string })
    .filter((line) => line.level >= 40);

// One load per service, each exercising its shared cache on every request.
const APQ_QUERY = '{ user(id: "1") { name } }';
const apq = {
  version: 1,
  sha256Hash: createHash('sha256').update(APQ_QUERY).digest('hex'),
};

describe('the shared cache goes away under load (Redis stopped for 10 s)', () => {
  let redis: RedisServer;
  let supplier: PhpServer;
  let monolith: PhpServer;
  let proxy: ServiceProcess;
  let adapter: ServiceProcess;
  let stack: Stack;

  // The facades need a credential; one API key for both.
  const { ACCESS_FILE, key } = e2eAccess();

  beforeAll(async () => {
    redis = await startRedisServer();
    const shared = { REDIS_URL: redis.url, LOG_LEVEL: 'warn', ACCESS_FILE };
    supplier = await startPhpServer({
      router: join(REPO_ROOT, 'upstreams/soap-supplier/router.php'),
      env: { SUPPLIER_DATABASE_PATH: join(scratch(), 'supplier.sqlite') },
    });
    monolith = await startPhpServer({
      router: join(REPO_ROOT, 'upstreams/php-monolith/router.php'),
      env: {
        LEGACY_DATABASE_PATH: join(scratch(), 'legacy.sqlite'),
        LEGACY_SESSION_PATH: join(scratch(), 'sessions'),
      },
    });
    proxy = await startService({
      name: 'soap-proxy',
      entry: 'soap-proxy/src/main.ts',
      port: await freePort(),
      env: { ...shared, SUPPLIER_URL: `${supplier.url}/` },
      readyPath: '/healthz',
    });
    adapter = await startService({
      name: 'legacy-rest-adapter',
      entry: 'legacy-rest-adapter/src/main.ts',
      port: await freePort(),
      env: { ...shared, LEGACY_URL: monolith.url },
      readyPath: '/healthz',
    });
    stack = await startStack({ gatewayEnv: shared });
  });
  afterAll(async () => {
    await Promise.all([stack.stop(), proxy.stop(), adapter.stop()]);
    await Promise.all([supplier.stop(), monolith.stop(), redis.stop()]);
  });

  it('keeps answering from the upstreams and logs the outage once per service, not once per request', async () => {
    const requests = {
      gateway: () =>
        fetch(`${stack.gateway.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: APQ_QUERY, extensions: { persistedQuery: apq } }),
        }),
      'soap-proxy': () =>
        fetch(`${proxy.url}/api/v1/supplier/GetStockLevel`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': key },
          body: JSON.stringify({ sku: 'SKU-00042' }),
        }),
      'legacy-rest-adapter': () =>
        fetch(`${adapter.url}/api/v2/customers/42`, { headers: { 'x-api-key': key } }),
    };
    const answered: Record<string, number[]> = {};
    let loading = true;
    const load = Object.entries(requests).flatMap(([name, request]) =>
      Array.from({ length: 4 }, async () => {
        while (loading) {
          const response = await request();
          await response.arrayBuffer();
          (answered[name] ??= []).push(response.status);
        }
      }),
    );

    await redis.stop();
    const outageStarted = Date.now();
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    const duringOutage = Object.fromEntries(
      Object.entries(answered).map(([name, statuses]) => [name, statuses.length]),
    );
    await redis.start();
    loading = false;
    await Promise.all(load);

    expect(Date.now() - outageStarted).toBeGreaterThanOrEqual(OUTAGE_MS);
    for (const name of Object.keys(requests)) {
      // The load really ran through the outage, and a cache outage is a miss, never an error.
      expect(duringOutage[name], name).toBeGreaterThan(50);
      expect(new Set(answered[name]), name).toEqual(new Set([200]));
    }
    for (const service of [stack.gateway, proxy, adapter]) {
      const lines = warnings(service);
      const said = `${service.name}: ${[...new Set(lines.map((line) => line.msg))].join(' | ')}`;
      expect(lines.length, said).toBeGreaterThan(0);
      expect(lines.length, said).toBeLessThanOrEqual(5);
    }
  });
});
