import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/AppError.ts';
import { silentLogger } from '../testing/logger.ts';
import { UpstreamError } from './UpstreamError.ts';
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

const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });

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

  it("waits for the upstream's Retry-After before retrying", async () => {
    const policy = policyFor({ maxDelayMs: 1_000 });
    const { call } = flaky(1, () =>
      UpstreamError.fromStatus('supplier', 503, { retryAfterMs: 120 }),
    );
    const started = performance.now();
    await expect(policy.execute(call, { idempotent: true })).resolves.toBe('ok');
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
  });
});
