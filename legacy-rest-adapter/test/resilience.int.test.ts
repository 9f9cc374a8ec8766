import { afterEach, describe, expect, it } from 'vitest';
import { startAdapter, type Adapter } from './support.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let adapter: Adapter | undefined;
afterEach(async () => {
  await adapter?.close();
  adapter = undefined;
});
const breakerState = async (a: Adapter) =>
  (
    (await (await fetch(`${a.url}/healthz`)).json()) as {
      legacy: { state: string; breaks: number };
    }
  ).legacy;

describe('the legacy policy over the real monolith', () => {
  it('answers 504 UPSTREAM_TIMEOUT when the monolith is slower than the per-attempt timeout, after the allowed retries', async () => {
    adapter = await startAdapter({ policy: { timeoutMs: 250, maxAttempts: 2 } });
    await adapter.plan({ operation: 'customer', mode: 'latency', latencyMs: 800 });
    const slow = await adapter.get('/api/v2/customers/501');
    expect(slow.status).toBe(504);
    expect(slow.body['code']).toBe('UPSTREAM_TIMEOUT');
    await sleep(900); // let the abandoned legacy calls finish before counting them
    expect(await adapter.legacyCalls('customer')).toBe(2);
  });

  it('opens the circuit after consecutive failures, fails fast without calling the monolith, then probes half-open and closes', async () => {
    adapter = await startAdapter({
      policy: { maxAttempts: 1, breakerThreshold: 3, halfOpenAfterMs: 400 },
    });
    await adapter.plan({ operation: 'customer', mode: 'http503' });
    for (const id of [601, 602, 603])
      expect((await adapter.get(`/api/v2/customers/${id}`)).status).toBe(503);
    expect(await breakerState(adapter)).toMatchObject({ state: 'open', breaks: 1 });

    const fastFail = await adapter.get('/api/v2/customers/604');
    expect(fastFail.status).toBe(503);
    expect(fastFail.body['code']).toBe('UPSTREAM_UNAVAILABLE');
    expect(Number(fastFail.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await adapter.legacyCalls('customer')).toBe(3); // the open circuit kept the call away

    // Half-open: one probe goes through; it fails, so the circuit opens again.
    await sleep(450);
    expect((await adapter.get('/api/v2/customers/605')).status).toBe(503);
    expect(await adapter.legacyCalls('customer')).toBe(4);
    expect(await breakerState(adapter)).toMatchObject({ state: 'open', breaks: 2 });

    // The monolith recovers: the next probe succeeds and the circuit closes.
    await fetch(`${adapter.monolith.url}/_test/reset`, { method: 'POST' });
    await sleep(450);
    expect((await adapter.get('/api/v2/customers/606')).status).toBe(200);
    expect(await breakerState(adapter)).toMatchObject({ state: 'closed' });
    expect((await adapter.get('/api/v2/customers/607')).status).toBe(200);
  });

  it('does not count a client error against the circuit: unknown customers never open it', async () => {
    adapter = await startAdapter({ policy: { maxAttempts: 1, breakerThreshold: 2 } });
    for (const id of [990_001, 990_002, 990_003]) {
      expect((await adapter.get(`/api/v2/customers/${id}`)).status).toBe(404);
    }
    expect(await breakerState(adapter)).toMatchObject({ state: 'closed', breaks: 0 });
    expect(await adapter.legacyCalls('customer')).toBe(3); // and a 404 is never retried
  });
});
