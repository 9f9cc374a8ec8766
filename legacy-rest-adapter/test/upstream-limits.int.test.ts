import { createUpstreamThrottle, type UpstreamThrottle } from '@manifold/platform/rate-limit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startAdapter, type Adapter } from './support.ts';

let adapter: Adapter | undefined;
afterEach(async () => {
  await adapter?.close();
  adapter = undefined;
});

/** The adapter with the monolith's limit respected from our side, as main.ts builds it. */
async function throttled(
  waitBudgetMs: number,
): Promise<{ adapter: Adapter; throttle: UpstreamThrottle }> {
  const throttle = createUpstreamThrottle({ name: 'legacy', waitBudgetMs });
  adapter = await startAdapter({ policy: { maxAttempts: 3, throttle } });
  return { adapter, throttle };
}

describe('respecting the monolith when it answers 429 with Retry-After', () => {
  it("answers 503 with Retry-After at once when the wait exceeds the caller's budget, and leaves the monolith alone meanwhile", async () => {
    const { adapter } = await throttled(200);
    await adapter.plan({ operation: 'customer', mode: 'http429', retryAfterSeconds: 5, times: 1 });

    const first = await adapter.get('/api/v2/customers/301');
    expect(first.status).toBe(503);
    expect(first.body['code']).toBe('UPSTREAM_UNAVAILABLE');
    expect(Number(first.headers.get('retry-after'))).toBeGreaterThanOrEqual(4);
    // Its retry was not sent into the monolith's Retry-After.
    expect(await adapter.legacyCalls('customer')).toBe(1);

    const second = await adapter.get('/api/v2/customers/302');
    expect(second.status).toBe(503);
    expect(second.body['code']).toBe('UPSTREAM_UNAVAILABLE');
    expect(await adapter.legacyCalls('customer')).toBe(1);
  });

  it('holds callers whose budget covers the wait until the monolith takes calls again, then answers them all', async () => {
    const { adapter, throttle } = await throttled(5_000);
    await adapter.plan({ operation: 'customer', mode: 'http429', retryAfterSeconds: 1, times: 1 });

    const first = adapter.get('/api/v2/customers/311');
    await vi.waitFor(() => {
      expect(throttle.stats().pushBacks).toBe(1);
    });
    // Callers arriving during the pause wait for it instead of calling.
    const waiting = [adapter.get('/api/v2/customers/312'), adapter.get('/api/v2/customers/313')];
    expect(await adapter.legacyCalls('customer')).toBe(1);

    const answers = await Promise.all([first, ...waiting]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    // The refused call, its retry and the two waiting callers: nothing else.
    expect(await adapter.legacyCalls('customer')).toBe(4);
  });
});
