import { Keyv } from 'keyv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdapter, type Adapter } from '../legacy-rest-adapter/test/support.ts';
import { startProxy, type Proxy } from '../soap-proxy/test/support.ts';
import { bodyViolations } from './fuzz/harness.ts';
import {
  HOSTILE_MODES,
  startHostileUpstream,
  type HostileMode,
  type HostileUpstream,
} from './fuzz/hostile-upstream.ts';

// Both facades in front of an upstream that misbehaves the way legacy systems do. Whatever it
// sends, the caller gets a typed 502/503/504 (problem+json, a catalogue code, nothing of the
// upstream's internals), the answer ends within what the policy allows, no more than the
// configured limit of a huge answer is read, and nothing of it is cached: the same request
// again goes to the upstream again.

const TIMEOUT_MS = 500;
const MAX_ATTEMPTS = 2;
const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
// The policy's worst case: every attempt timing out, plus the (tiny) backoff between them. The
// slack is for a loaded CI machine; the point is "bounded by the configuration", not a latency.
const WORST_CASE_MS = TIMEOUT_MS * MAX_ATTEMPTS + 50 + 5_000;
const policy = {
  timeoutMs: TIMEOUT_MS,
  maxAttempts: MAX_ATTEMPTS,
  initialDelayMs: 5,
  maxDelayMs: 20,
  breakerThreshold: 1_000, // each case here must reach the upstream; the breaker has its own tests
};

/** What each misbehaviour must come back as (the codes our callers can act on). */
const EXPECTED: Record<HostileMode, readonly string[]> = {
  'malformed-json': ['UPSTREAM_ERROR'],
  'malformed-xml': ['UPSTREAM_ERROR'],
  truncated: ['UPSTREAM_ERROR', 'UPSTREAM_UNAVAILABLE'],
  'wrong-charset': ['UPSTREAM_ERROR'],
  'broken-record': ['UPSTREAM_ERROR'],
  'html-error': ['UPSTREAM_ERROR'],
  'server-error': ['UPSTREAM_ERROR'],
  empty: ['UPSTREAM_ERROR'],
  reset: ['UPSTREAM_UNAVAILABLE'],
  // Past the limit, or (on a loaded machine) still reading it when the attempt's time is up.
  huge: ['UPSTREAM_RESPONSE_TOO_LARGE', 'UPSTREAM_TIMEOUT'],
  drip: ['UPSTREAM_TIMEOUT'],
};

let upstream: HostileUpstream;
let adapter: Adapter;
let proxy: Proxy;

beforeAll(async () => {
  upstream = await startHostileUpstream();
  adapter = await startAdapter({
    monolith: { url: upstream.url, output: () => '', stop: () => Promise.resolve() },
    policy,
  });
  proxy = await startProxy(
    {
      endpoint: `${upstream.url}/soap`,
      timeoutMs: TIMEOUT_MS,
      maxResponseBytes: MAX_RESPONSE_BYTES,
      resilience: {
        maxAttempts: MAX_ATTEMPTS,
        initialDelayMs: policy.initialDelayMs,
        maxDelayMs: policy.maxDelayMs,
        breakerThreshold: policy.breakerThreshold,
        halfOpenAfterMs: 1_000,
      },
      operations: { GetStockLevel: { safe: true, cacheTtlSeconds: 30 } },
    },
    new Keyv(),
  );
});
afterAll(async () => {
  await proxy.close();
  await adapter.close();
  await upstream.close();
});

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

/** The requests each facade answers from its upstream, as a client sends them. */
const CALLS: Record<string, () => Promise<Answer>> = {
  'legacy-rest-adapter GET /api/v2/customers/1 (a JSON page)': async () =>
    read(await fetch(`${adapter.url}/api/v2/customers/1`)),
  'legacy-rest-adapter GET /api/v2/customers/1/loyalty/history (the XML page)': async () =>
    read(await fetch(`${adapter.url}/api/v2/customers/1/loyalty/history`)),
  'soap-proxy POST /api/v1/supplier/GetStockLevel (a cached operation)': async () =>
    read(
      await fetch(`${proxy.url}/api/v1/supplier/GetStockLevel`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sku: 'SKU-00042' }),
      }),
    ),
};

async function read(response: Response): Promise<Answer> {
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    body: await response.text(),
  };
}

describe.each(Object.entries(CALLS))('%s, in front of a hostile upstream', (_name, call) => {
  it.each(HOSTILE_MODES)(
    '%s: a typed 502/503/504 within the policy’s bounds, and nothing cached',
    async (mode) => {
      upstream.mode = mode;
      const before = upstream.calls();
      const started = performance.now();
      const first = await call();
      const elapsedMs = performance.now() - started;
      expect(bodyViolations(first)).toEqual([]);
      expect([502, 503, 504]).toContain(first.status);
      expect(first.contentType).toMatch(/^application\/problem\+json/);
      const problem = JSON.parse(first.body) as { code: string; detail?: string };
      expect(EXPECTED[mode]).toContain(problem.code);
      expect(first.body).not.toMatch(/Fatal error|\/var\/www/);
      expect(elapsedMs).toBeLessThan(WORST_CASE_MS);
      expect(upstream.calls()).toBeGreaterThan(before);

      // Nothing was kept: asked again, the facade asks the upstream again (and fails the same way).
      const between = upstream.calls();
      const second = await call();
      expect(second.status).toBe(first.status);
      expect(upstream.calls()).toBeGreaterThan(between);
    },
  );
});

describe('a 50 MB answer, with time enough to read it all', () => {
  it('is read no further than the limit: UPSTREAM_RESPONSE_TOO_LARGE, the upstream hung up on', async () => {
    const slow = { ...policy, timeoutMs: 30_000, maxAttempts: 1 };
    const patientAdapter = await startAdapter({
      monolith: { url: upstream.url, output: () => '', stop: () => Promise.resolve() },
      policy: slow,
    });
    const patientProxy = await startProxy(
      {
        endpoint: `${upstream.url}/soap`,
        timeoutMs: slow.timeoutMs,
        maxResponseBytes: MAX_RESPONSE_BYTES,
      },
      new Keyv(),
    );
    try {
      upstream.mode = 'huge';
      for (const url of [
        `${patientAdapter.url}/api/v2/customers/1`,
        `${patientAdapter.url}/api/v2/customers/1/loyalty/history`,
      ])
        expect(JSON.parse((await read(await fetch(url))).body)).toMatchObject({
          code: 'UPSTREAM_RESPONSE_TOO_LARGE',
        });
      const soap = await fetch(`${patientProxy.url}/api/v1/supplier/GetStockLevel`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sku: 'SKU-00042' }),
      });
      expect(await soap.json()).toMatchObject({ code: 'UPSTREAM_RESPONSE_TOO_LARGE' });
    } finally {
      await patientProxy.close();
      await patientAdapter.close();
    }
    // What the upstream got to write (socket buffers included) before each facade dropped it.
    await expect.poll(() => upstream.hugestSent()).toBeGreaterThan(0);
    expect(upstream.hugestSent()).toBeLessThan(MAX_RESPONSE_BYTES * 2);
  });
});
