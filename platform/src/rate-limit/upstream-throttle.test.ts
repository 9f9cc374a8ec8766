import { describe, expect, it } from 'vitest';
import { createUpstreamThrottle } from './upstream-throttle.ts';

/** A clock the test moves by hand. */
function manualClock() {
  let at = 1_000;
  return {
    now: () => at,
    advance: (ms: number) => {
      at += ms;
    },
  };
}

const refusalOf = async (waiting: Promise<void> | undefined) => {
  try {
    await waiting;
  } catch (error) {
    return error as { code: string; transient: boolean; details: Record<string, unknown> };
  }
  throw new Error('the call was not refused');
};

describe('createUpstreamThrottle', () => {
  it('lets a burst through at once, then makes the next call wait for its token', () => {
    const clock = manualClock();
    const throttle = createUpstreamThrottle({
      name: 'legacy',
      callsPerSecond: 10,
      burst: 2,
      now: clock.now,
    });
    expect(throttle.acquire()).toBeUndefined();
    expect(throttle.acquire()).toBeUndefined();
    const controller = new AbortController();
    const waiting = throttle.acquire(controller.signal);
    expect(waiting).toBeInstanceOf(Promise);
    waiting?.catch(() => undefined);
    controller.abort();
    // A tenth of a second later the bucket holds a token again.
    clock.advance(200);
    expect(throttle.acquire()).toBeUndefined();
  });

  it('refuses a call whose wait would exceed its budget: 503 with Retry-After, not transient', async () => {
    const clock = manualClock();
    const throttle = createUpstreamThrottle({
      name: 'legacy',
      callsPerSecond: 1,
      waitBudgetMs: 500,
      now: clock.now,
    });
    expect(throttle.acquire()).toBeUndefined();
    const refused = await refusalOf(throttle.acquire());
    expect(refused.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(refused.transient).toBe(false);
    expect(refused.details['retryAfterSeconds']).toBe(1);
  });

  it("holds every call back until the upstream's Retry-After has passed, even without a published limit", async () => {
    const clock = manualClock();
    const throttle = createUpstreamThrottle({ name: 'supplier', now: clock.now });
    expect(throttle.acquire()).toBeUndefined();
    throttle.pushBack(3_000);
    const refused = await refusalOf(throttle.acquire());
    expect(refused.details['retryAfterSeconds']).toBe(3);
    expect(throttle.stats().pausedForMs).toBe(3_000);
    clock.advance(3_000);
    expect(throttle.acquire()).toBeUndefined();
  });

  it('halves the rate after a push-back and brings it back over the recovery time', () => {
    const clock = manualClock();
    const throttle = createUpstreamThrottle({
      name: 'legacy',
      callsPerSecond: 10,
      recoveryMs: 10_000,
      now: clock.now,
    });
    throttle.pushBack(1_000);
    clock.advance(1_000);
    expect(throttle.stats().callsPerSecond).toBe(5);
    clock.advance(5_000);
    expect(throttle.stats().callsPerSecond).toBe(7.5);
    clock.advance(5_000);
    expect(throttle.stats().callsPerSecond).toBe(10);
    expect(throttle.stats().pushBacks).toBe(1);
  });
});
