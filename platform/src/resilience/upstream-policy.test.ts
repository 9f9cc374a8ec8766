import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../errors/index.ts';
import { silentLogger } from '../testing/logger.ts';
import { UpstreamError } from '../errors/index.ts';
import { createUpstreamPolicy, type UpstreamPolicyOptions } from './upstream-policy.ts';

const policyFor = (options: Partial<UpstreamPolicyOptions> = {}) =>
  createUpstreamPolicy({
    name: 'supplier',
    logger: silentLogger(),
    initialDelayMs: 1,
    maxDelayMs: 5,
    halfOpenAfterMs: 60,
    ...options,
  });

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });
const refused = () => withCode('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED');

/** An upstream that fails `failures` times with `error`, then answers 'ok'. */
function flaky(
  failures: number,
  error: () => Error = () => UpstreamError.fromStatus('supplier', 503),
) {
  const calls = { count: 0 };
  const call = () => {
    calls.count++;
    return calls.count <= failures ? Promise.reject(error()) : Promise.resolve('ok');
  };
  return { call, calls };
}

describe('createUpstreamPolicy', () => {
  it('retries an idempotent call on transient failures until it succeeds', async () => {
    const policy = policyFor();
    const { call, calls } = flaky(3);
    await expect(policy.execute(call, { idempotent: true })).resolves.toBe('ok');
    expect(calls.count).toBe(4);
    expect(policy.stats().retries).toBe(3);
  });

  it('gives up after 5 attempts in all', async () => {
    const policy = policyFor({ breakerThreshold: 100 });
    const { call, calls } = flaky(10, refused);
    await expect(policy.execute(call, { idempotent: true })).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      upstream: 'supplier',
    });
    expect(calls.count).toBe(5);
  });

  it('never retries a call that is not idempotent', async () => {
    const policy = policyFor();
    const { call, calls } = flaky(1);
    await expect(policy.execute(call, { idempotent: false })).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
    });
    expect(calls.count).toBe(1);
  });

  it('never retries a client fault, and a client fault does not trip the breaker', async () => {
    const policy = policyFor({ breakerThreshold: 2 });
    const { call, calls } = flaky(10, () => new AppError('BAD_USER_INPUT', 'unknown sku'));
    for (let i = 0; i < 4; i++)
      await expect(policy.execute(call, { idempotent: true })).rejects.toMatchObject({
        code: 'BAD_USER_INPUT',
      });
    expect(calls.count).toBe(4);
    expect(policy.stats().state).toBe('closed');
  });

  it('opens the circuit after consecutive failures, fails fast, then probes and closes again', async () => {
    const policy = policyFor({ breakerThreshold: 3 });
    const down = flaky(3);
    for (let i = 0; i < 3; i++)
      await expect(policy.execute(down.call, { idempotent: false })).rejects.toThrow();
    expect(policy.stats()).toMatchObject({ state: 'open', breaks: 1 });

    const untouched = flaky(0);
    await expect(policy.execute(untouched.call, { idempotent: false })).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      details: { upstream: 'supplier', retryAfterSeconds: 1 },
    });
    expect(untouched.calls.count).toBe(0);

    await sleep(80); // past halfOpenAfterMs
    await expect(policy.execute(untouched.call, { idempotent: false })).resolves.toBe('ok');
    expect(untouched.calls.count).toBe(1);
    expect(policy.stats().state).toBe('closed');
  });

  it('times out a slow attempt as UPSTREAM_TIMEOUT and aborts its signal', async () => {
    const policy = policyFor({ timeoutMs: 30 });
    let aborted = false;
    const slow = (signal: AbortSignal) =>
      new Promise<string>((resolve) => {
        signal.addEventListener('abort', () => {
          aborted = true;
        });
        setTimeout(() => {
          resolve('late');
        }, 500);
      });
    await expect(policy.execute(slow, { idempotent: false })).rejects.toMatchObject({
      code: 'UPSTREAM_TIMEOUT',
    });
    expect(aborted).toBe(true);
  });

  it('with retryTimeouts off, does not try a timed-out attempt again, but still retries a refused one', async () => {
    const policy = policyFor({ timeoutMs: 20, retryTimeouts: false, breakerThreshold: 100 });
    let slowCalls = 0;
    const hang = (signal: AbortSignal) => {
      slowCalls++;
      return new Promise<string>((_resolve, reject) => {
        signal.addEventListener('abort', () => {
          reject(new Error('aborted'));
        });
      });
    };
    await expect(policy.execute(hang, { idempotent: true })).rejects.toMatchObject({
      code: 'UPSTREAM_TIMEOUT',
    });
    expect(slowCalls).toBe(1);

    const { call, calls } = flaky(2, refused);
    await expect(policy.execute(call, { idempotent: true })).resolves.toBe('ok');
    expect(calls.count).toBe(3);
  });

  it('does not abort the signal of an attempt that returned (no DOMException per call)', async () => {
    const policy = policyFor();
    let seen: AbortSignal | undefined;
    await policy.execute(
      (signal) => {
        seen = signal;
        return Promise.resolve('ok');
      },
      { idempotent: true },
    );
    expect(seen?.aborted).toBe(false);
  });
});

describe('createUpstreamPolicy: the breaker counts failed calls, not attempts', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('one failing call with 5 attempts does not open a circuit whose threshold is 5', async () => {
    const policy = policyFor({ maxAttempts: 5, breakerThreshold: 5 });
    const { call, calls } = flaky(10);
    await expect(policy.execute(call, { idempotent: true })).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
    });
    expect(calls.count).toBe(5);
    expect(policy.stats()).toMatchObject({ state: 'closed', breaks: 0, retries: 4 });
  });

  it('opens after breakerThreshold failed calls, each counted once after its retries, then fails fast', async () => {
    const policy = policyFor({ maxAttempts: 3, breakerThreshold: 2 });
    const down = flaky(100);
    await expect(policy.execute(down.call, { idempotent: true })).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
    });
    expect(policy.stats().state).toBe('closed');
    await expect(policy.execute(down.call, { idempotent: true })).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
    });
    expect(down.calls.count).toBe(6);
    expect(policy.stats()).toMatchObject({ state: 'open', breaks: 1 });

    await expect(policy.execute(down.call, { idempotent: true })).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      details: { upstream: 'supplier', retryAfterSeconds: 1 },
    });
    expect(down.calls.count).toBe(6); // the open circuit kept the call, and its retries, away
  });

  it('stops retrying a call once other calls have opened the circuit', async () => {
    vi.useFakeTimers();
    // Full jitter may pick a delay of ~0 ms, which would let the retry run before the circuit opens.
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const policy = policyFor({ maxAttempts: 5, breakerThreshold: 1, initialDelayMs: 50 });
    const retrying = flaky(100, refused);
    const result = policy.execute(retrying.call, { idempotent: true });
    const failed = expect(result).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    await vi.advanceTimersByTimeAsync(0); // first attempt failed; its retry is waiting
    await expect(policy.execute(flaky(1).call, { idempotent: false })).rejects.toThrow();
    expect(policy.stats().state).toBe('open');
    await vi.runAllTimersAsync();
    await failed;
    expect(retrying.calls.count).toBe(2); // the retry already scheduled, then no more
  });

  it('a success between failed calls resets the count', async () => {
    const policy = policyFor({ maxAttempts: 2, breakerThreshold: 2 });
    await expect(policy.execute(flaky(2).call, { idempotent: true })).rejects.toThrow();
    await expect(policy.execute(flaky(1).call, { idempotent: true })).resolves.toBe('ok');
    await expect(policy.execute(flaky(2).call, { idempotent: true })).rejects.toThrow();
    expect(policy.stats().state).toBe('closed');
  });
});

describe('createUpstreamPolicy: half-open', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reports half-open once halfOpenAfterMs has passed, before any call arrives', async () => {
    vi.useFakeTimers();
    const policy = policyFor({ breakerThreshold: 1, halfOpenAfterMs: 1_000 });
    await expect(policy.execute(flaky(1).call, { idempotent: false })).rejects.toThrow();
    expect(policy.stats().state).toBe('open');
    vi.advanceTimersByTime(999);
    expect(policy.stats().state).toBe('open');
    vi.advanceTimersByTime(1);
    expect(policy.stats().state).toBe('half-open');

    const probe = flaky(0);
    await expect(policy.execute(probe.call, { idempotent: false })).resolves.toBe('ok');
    expect(probe.calls.count).toBe(1);
    expect(policy.stats().state).toBe('closed');
  });

  it('a failed probe re-opens the circuit for another halfOpenAfterMs; the probe is a single attempt', async () => {
    vi.useFakeTimers();
    const policy = policyFor({ breakerThreshold: 1, halfOpenAfterMs: 1_000, maxAttempts: 5 });
    const down = flaky(100, refused);
    const first = policy.execute(down.call, { idempotent: true });
    const failed = expect(first).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    await vi.runAllTimersAsync(); // the backoff between attempts
    await failed;
    expect(down.calls.count).toBe(5);
    vi.advanceTimersByTime(1_000);
    expect(policy.stats().state).toBe('half-open');

    await expect(policy.execute(down.call, { idempotent: true })).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
    });
    expect(down.calls.count).toBe(6);
    expect(policy.stats()).toMatchObject({ state: 'open', breaks: 2 });
    vi.advanceTimersByTime(999);
    expect(policy.stats().state).toBe('open');
    vi.advanceTimersByTime(1);
    expect(policy.stats().state).toBe('half-open');
  });
});

describe('createUpstreamPolicy: Retry-After', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  /** Starts a call whose first attempt answers 503 with `retryAfterMs`; reports when the second attempt starts. */
  function retryAfter(retryAfterMs: number, options: Partial<UpstreamPolicyOptions>) {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const policy = policyFor(options);
    const { call, calls } = flaky(1, () =>
      UpstreamError.fromStatus('supplier', 503, { retryAfterMs }),
    );
    const result = policy.execute(call, { idempotent: true });
    return { result, calls };
  }

  it("respects the upstream's Retry-After and adds jitter, so clients do not return in lockstep", async () => {
    // Full jitter on a 100 ms first ceiling with random() = 0.5 → 50 ms on top of the 1 s asked.
    const { result, calls } = retryAfter(1_000, { initialDelayMs: 100, maxDelayMs: 5_000 });
    await vi.advanceTimersByTimeAsync(1_049);
    expect(calls.count).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.count).toBe(2);
    await expect(result).resolves.toBe('ok');
  });

  it('caps the wait at maxDelayMs', async () => {
    const { result, calls } = retryAfter(60_000, { initialDelayMs: 100, maxDelayMs: 2_000 });
    await vi.advanceTimersByTimeAsync(1_999);
    expect(calls.count).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.count).toBe(2);
    await expect(result).resolves.toBe('ok');
  });
});

describe('createUpstreamPolicy: network errors', () => {
  it.each(['ENOTFOUND', 'EAI_AGAIN'])(
    'treats a DNS failure (%s) as transient: retried, then UPSTREAM_UNAVAILABLE',
    async (code) => {
      const policy = policyFor({ breakerThreshold: 100 });
      const { call, calls } = flaky(10, () => withCode(`getaddrinfo ${code} supplier`, code));
      await expect(policy.execute(call, { idempotent: true })).rejects.toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
        details: { upstream: 'supplier', retryAfterSeconds: 1 },
      });
      expect(calls.count).toBe(5);
    },
  );

  it.each([
    ['ECONNABORTED', 'timeout of 2000ms exceeded'], // axios's own timeout
    ['ERR_CANCELED', 'canceled'], // axios, when our signal aborted the attempt
    ['UND_ERR_HEADERS_TIMEOUT', 'Headers Timeout Error'],
  ])('maps %s to UPSTREAM_TIMEOUT', async (code, message) => {
    const policy = policyFor({ maxAttempts: 2 });
    const { call, calls } = flaky(10, () => withCode(message, code));
    await expect(policy.execute(call, { idempotent: true })).rejects.toMatchObject({
      code: 'UPSTREAM_TIMEOUT',
      upstream: 'supplier',
    });
    expect(calls.count).toBe(2);
  });
});
