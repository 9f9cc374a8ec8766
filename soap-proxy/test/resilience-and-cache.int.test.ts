import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createCache } from '@manifold/platform/cache';
import { requireRedis, silentLogger } from '@manifold/platform/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { post, startProxy, startSupplier, type Proxy, type Supplier } from './support.ts';

let supplier: Supplier;
beforeAll(async () => {
  supplier = await startSupplier();
});
afterAll(async () => {
  await supplier.stop();
});
beforeEach(async () => {
  await supplier.reset();
});

interface UpstreamStats {
  state: string;
  retries: number;
  breaks: number;
}
const upstreamStats = async (proxy: Proxy) =>
  (
    (await (await fetch(`${proxy.url}/healthz`)).json()) as {
      upstreams: Record<string, UpstreamStats>;
    }
  ).upstreams['supplier'];
const health = async (proxy: Proxy) => (await upstreamStats(proxy))?.state;

describe('circuit breaker in front of a failing supplier', () => {
  it('opens after consecutive failures, fails fast without calling the supplier, probes when half-open, closes on success', async () => {
    const proxy = await startProxy({
      endpoint: `${supplier.url}/`,
      resilience: { maxAttempts: 1, breakerThreshold: 3, halfOpenAfterMs: 500 },
      operations: { GetStockLevel: { safe: true, cacheTtlSeconds: 0 } },
    });
    try {
      await supplier.plan({ operation: 'GetStockLevel', mode: 'http503' });
      for (let i = 0; i < 3; i++)
        expect((await post(proxy, 'GetStockLevel', { sku: 'SKU-00001' })).status).toBe(503);
      expect(await health(proxy)).toBe('open');

      const shortCircuited = await post(proxy, 'GetStockLevel', { sku: 'SKU-00001' });
      expect(shortCircuited.status).toBe(503);
      expect(shortCircuited.headers.get('retry-after')).toBe('1');
      expect(await supplier.calls('GetStockLevel')).toBe(3); // the fourth call never reached it

      await supplier.reset(); // the supplier recovers
      await sleep(600);
      expect(await health(proxy)).toBe('half-open'); // the next call will probe
      expect((await post(proxy, 'GetStockLevel', { sku: 'SKU-00001' })).status).toBe(200); // the half-open probe
      expect(await health(proxy)).toBe('closed');
    } finally {
      await proxy.close();
    }
  });

  it('shows half-open in /healthz once halfOpenAfterMs has passed; a failed probe, one attempt, re-opens the circuit', async () => {
    const proxy = await startProxy({
      endpoint: `${supplier.url}/`,
      resilience: { maxAttempts: 2, breakerThreshold: 1, halfOpenAfterMs: 500 },
      operations: { GetStockLevel: { safe: true, cacheTtlSeconds: 0 } },
    });
    try {
      await supplier.plan({ operation: 'GetStockLevel', mode: 'http503' });
      expect((await post(proxy, 'GetStockLevel', { sku: 'SKU-00001' })).status).toBe(503);
      expect(await supplier.calls('GetStockLevel')).toBe(2); // one request, two attempts
      expect(await upstreamStats(proxy)).toMatchObject({ state: 'open', breaks: 1 });

      await sleep(600);
      const healthz = (await (await fetch(`${proxy.url}/healthz`)).json()) as { status: string };
      expect(healthz.status).toBe('degraded');
      expect(await health(proxy)).toBe('half-open');
      expect(await supplier.calls('GetStockLevel')).toBe(2); // reporting it probed nothing

      const probe = await post(proxy, 'GetStockLevel', { sku: 'SKU-00001' });
      expect(probe.status).toBe(503);
      expect(probe.body['code']).toBe('UPSTREAM_UNAVAILABLE');
      expect(await supplier.calls('GetStockLevel')).toBe(3); // the probe is not retried
      expect(await upstreamStats(proxy)).toMatchObject({ state: 'open', breaks: 2 });

      const shortCircuited = await post(proxy, 'GetStockLevel', { sku: 'SKU-00001' });
      expect(shortCircuited.status).toBe(503);
      expect(await supplier.calls('GetStockLevel')).toBe(3);
    } finally {
      await proxy.close();
    }
  });
});

describe('retries against the real supplier (5 attempts, the defaults)', () => {
  it('one request that fails all 5 attempts does not open the circuit', async () => {
    const proxy = await startProxy({
      endpoint: `${supplier.url}/`,
      operations: { GetStockLevel: { safe: true, cacheTtlSeconds: 0 } },
    });
    try {
      await supplier.plan({ operation: 'GetStockLevel', mode: 'http503' });
      const failed = await post(proxy, 'GetStockLevel', { sku: 'SKU-00001' });
      expect(failed.status).toBe(503);
      expect(failed.body['code']).toBe('UPSTREAM_UNAVAILABLE');
      expect(await supplier.calls('GetStockLevel')).toBe(5);
      expect(await upstreamStats(proxy)).toMatchObject({ state: 'closed', breaks: 0, retries: 4 });

      await supplier.reset(); // still asked, not short-circuited
      expect((await post(proxy, 'GetStockLevel', { sku: 'SKU-00001' })).status).toBe(200);
      expect(await supplier.calls('GetStockLevel')).toBe(1);
    } finally {
      await proxy.close();
    }
  });

  it('calls a supplier that keeps timing out exactly 5 times, then answers 504 UPSTREAM_TIMEOUT', async () => {
    const proxy = await startProxy({
      endpoint: `${supplier.url}/`,
      timeoutMs: 150,
      operations: { GetStockLevel: { safe: true, cacheTtlSeconds: 0 } },
    });
    try {
      await supplier.plan({ operation: 'GetStockLevel', mode: 'latency', latencyMs: 400 });
      const slow = await post(proxy, 'GetStockLevel', { sku: 'SKU-00001' });
      expect(slow.status).toBe(504);
      expect(slow.body['code']).toBe('UPSTREAM_TIMEOUT');
      await sleep(500); // let the abandoned attempts reach the supplier before counting them
      expect(await supplier.calls('GetStockLevel')).toBe(5);
      expect(await health(proxy)).toBe('closed');
    } finally {
      await proxy.close();
    }
  });
});

describe('network failures', () => {
  it('answers 503 UPSTREAM_UNAVAILABLE with Retry-After when the supplier host does not resolve', async () => {
    // .invalid never resolves (RFC 6761): ENOTFOUND, or EAI_AGAIN without a resolver.
    const proxy = await startProxy({
      endpoint: 'http://supplier.invalid/',
      resilience: { maxAttempts: 2 },
      operations: { GetStockLevel: { safe: true, cacheTtlSeconds: 0 } },
    });
    try {
      const answer = await post(proxy, 'GetStockLevel', { sku: 'SKU-00001' });
      expect(answer.status).toBe(503);
      expect(answer.body['code']).toBe('UPSTREAM_UNAVAILABLE');
      expect(answer.headers.get('retry-after')).toBe('1');
    } finally {
      await proxy.close();
    }
  });
});

describe.each([
  {
    store: 'in-memory',
    cache: () =>
      Promise.resolve(
        createCache({ namespace: `soap-proxy-test-${randomUUID()}`, logger: silentLogger() }),
      ),
  },
  {
    store: 'Redis',
    cache: async () =>
      createCache({
        namespace: `soap-proxy-test-${randomUUID()}`,
        redisUrl: await requireRedis(),
        logger: silentLogger(),
      }),
  },
])('response cache ($store)', ({ cache: makeCache }) => {
  it('answers MISS, then HIT with Age, then STALE when the supplier fails after expiry', async () => {
    const cache = await makeCache();
    const proxy = await startProxy(
      {
        endpoint: `${supplier.url}/`,
        resilience: { maxAttempts: 1 },
        operations: { GetStockLevel: { safe: true, cacheTtlSeconds: 1, staleIfErrorSeconds: 60 } },
      },
      cache,
    );
    try {
      const first = await post(proxy, 'GetStockLevel', { sku: 'SKU-00007' });
      expect(first.headers.get('x-cache')).toBe('MISS');
      expect(first.headers.get('cache-control')).toBe('public, max-age=1');
      const second = await post(proxy, 'GetStockLevel', { sku: 'SKU-00007' });
      expect(second.headers.get('x-cache')).toBe('HIT');
      expect(second.body).toEqual(first.body);
      expect(await supplier.calls('GetStockLevel')).toBe(1);

      await sleep(1_100);
      await supplier.plan({ operation: 'GetStockLevel', mode: 'http503' });
      const stale = await post(proxy, 'GetStockLevel', { sku: 'SKU-00007' });
      expect(stale.status).toBe(200);
      expect(stale.headers.get('x-cache')).toBe('STALE');
      expect(Number(stale.headers.get('age'))).toBeGreaterThanOrEqual(1);
      expect(stale.body).toEqual(first.body);
    } finally {
      await proxy.close();
      await cache.disconnect();
    }
  });

  it('answers a hit ahead of routing as the app does, and still refuses what the app refuses', async () => {
    const cache = await makeCache();
    const proxy = await startProxy(
      {
        endpoint: `${supplier.url}/`,
        operations: { GetPrice: { safe: true, cacheTtlSeconds: 60 } },
      },
      cache,
    );
    // A body with a Content-Length is read ahead of the app; a chunked one goes to the app.
    const send = async (input: string, { chunked = false } = {}) => {
      const response = await fetch(`${proxy.url}/api/v1/supplier/GetPrice`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        ...(chunked
          ? { body: new Blob([input]).stream(), duplex: 'half' as const }
          : { body: input }),
      });
      return { status: response.status, headers: response.headers, text: await response.text() };
    };
    const codeOf = (text: string) => (JSON.parse(text) as { code?: string }).code;
    const same = (answer: Awaited<ReturnType<typeof send>>) => ({
      status: answer.status,
      text: answer.text,
      ...Object.fromEntries(
        ['content-type', 'content-length', 'etag', 'x-cache', 'cache-control'].map((name) => [
          name,
          answer.headers.get(name),
        ]),
      ),
      requestId: answer.headers.get('x-request-id') !== null,
    });
    try {
      const input = '{"sku":"SKU-00011","quantity":3}';
      expect((await send(input)).headers.get('x-cache')).toBe('MISS');
      const ahead = await send(input);
      const byTheApp = await send(input, { chunked: true });
      expect(ahead.headers.get('x-cache')).toBe('HIT');
      expect(same(ahead)).toEqual(same(byTheApp));

      // A number that lost digits has the cache key of the one it became: still refused.
      const lossy = await send('{"sku":"SKU-00011","quantity":3.0000000000000001}');
      expect([lossy.status, codeOf(lossy.text)]).toEqual([400, 'BAD_USER_INPUT']);
      for (const refused of ['{"sku":', '"SKU-00011"', '{"sku":"SKU-00011","quantity":3,"x":1}']) {
        const answer = await send(refused);
        expect([answer.status, codeOf(answer.text)], refused).toEqual([400, 'BAD_USER_INPUT']);
      }
      expect(await supplier.calls('GetPrice')).toBe(1);
    } finally {
      await proxy.close();
      await cache.disconnect();
    }
  });

  it('shares one supplier call among identical concurrent requests', async () => {
    const cache = await makeCache();
    const proxy = await startProxy(
      {
        endpoint: `${supplier.url}/`,
        operations: { GetPrice: { safe: true, cacheTtlSeconds: 60 } },
      },
      cache,
    );
    try {
      await supplier.plan({ operation: 'GetPrice', mode: 'latency', latencyMs: 200, times: 1 });
      const answers = await Promise.all(
        Array.from({ length: 8 }, () => post(proxy, 'GetPrice', { sku: 'SKU-00011', quantity: 3 })),
      );
      expect(answers.every((answer) => answer.status === 200)).toBe(true);
      expect(await supplier.calls('GetPrice')).toBe(1);
    } finally {
      await proxy.close();
      await cache.disconnect();
    }
  });
});

describe('uncached calls', () => {
  it('calls the supplier ahead of routing for an uncached operation, answering as the app does', async () => {
    const proxy = await startProxy({ endpoint: `${supplier.url}/` }); // GetPrice: not cached
    // A body with a Content-Length is called ahead of the app; a chunked one by the app's route.
    const send = async (input: string, { chunked = false } = {}) => {
      const response = await fetch(`${proxy.url}/api/v1/supplier/GetPrice`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        ...(chunked
          ? { body: new Blob([input]).stream(), duplex: 'half' as const }
          : { body: input }),
      });
      return { status: response.status, headers: response.headers, text: await response.text() };
    };
    const same = (answer: Awaited<ReturnType<typeof send>>) => ({
      status: answer.status,
      body: JSON.parse(answer.text) as unknown,
      ...Object.fromEntries(
        ['content-type', 'etag', 'x-cache', 'cache-control'].map((name) => [
          name,
          answer.headers.get(name),
        ]),
      ),
      requestId: answer.headers.get('x-request-id') !== null,
    });
    try {
      const input = '{"sku":"SKU-00011","quantity":3}';
      const ahead = await send(input);
      expect([ahead.status, ahead.headers.get('cache-control')]).toEqual([200, 'no-store']);
      expect(same(ahead)).toEqual(same(await send(input, { chunked: true })));
      // The supplier's refusal (an unknown SKU) and our own (a number that lost digits, found
      // while writing the envelope) are the app's problem+json either way.
      for (const [refused, status, code] of [
        ['{"sku":"SKU-99999","quantity":3}', 422, 'UPSTREAM_REJECTED'],
        ['{"sku":"SKU-00011","quantity":3.0000000000000001}', 400, 'BAD_USER_INPUT'],
      ] as const) {
        const failed = await send(refused);
        expect([failed.status, (JSON.parse(failed.text) as { code?: string }).code]).toEqual([
          status,
          code,
        ]);
        expect(same(failed), refused).toEqual(same(await send(refused, { chunked: true })));
      }
      // Each call once (GetPrice is not idempotent), the lossy number never.
      expect(await supplier.calls('GetPrice')).toBe(4);
    } finally {
      await proxy.close();
    }
  });
});

describe('a cache shared through Redis', () => {
  it('lets a second proxy replica answer from the first one’s supplier call', async () => {
    const redisUrl = await requireRedis();
    const namespace = `soap-proxy-test-${randomUUID()}`;
    const config = {
      endpoint: `${supplier.url}/`,
      operations: { GetStockLevel: { safe: true, cacheTtlSeconds: 60 } },
    };
    const cacheA = createCache({ namespace, redisUrl, logger: silentLogger() });
    const cacheB = createCache({ namespace, redisUrl, logger: silentLogger() });
    const [a, b] = [await startProxy(config, cacheA), await startProxy(config, cacheB)];
    try {
      expect((await post(a, 'GetStockLevel', { sku: 'SKU-00123' })).headers.get('x-cache')).toBe(
        'MISS',
      );
      expect((await post(b, 'GetStockLevel', { sku: 'SKU-00123' })).headers.get('x-cache')).toBe(
        'HIT',
      );
      expect(await supplier.calls('GetStockLevel')).toBe(1);
    } finally {
      await a.close();
      await b.close();
      await cacheA.disconnect();
      await cacheB.disconnect();
    }
  });
});
