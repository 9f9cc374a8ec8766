import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UpstreamError } from '../errors/index.ts';
import { silentLogger } from '../testing/logger.ts';
import { attributesOf, installTestTelemetry, type TestTelemetry } from '../testing/telemetry.ts';
import { createUpstreamPolicy } from './upstream-policy.ts';

// What the upstream policy tells on-call: a span per call and per attempt, retries, breaker state,
// call durations by outcome.
describe('upstream policy telemetry', () => {
  let telemetry: TestTelemetry;
  beforeEach(() => {
    telemetry = installTestTelemetry();
  });
  afterEach(async () => {
    await telemetry.close();
  });

  const policyFor = () =>
    createUpstreamPolicy({
      name: 'supplier',
      logger: silentLogger(),
      initialDelayMs: 1,
      maxDelayMs: 5,
      breakerThreshold: 1,
      halfOpenAfterMs: 60_000,
    });

  it('shows each attempt of a retried call as a child span, numbered, under the call’s span', async () => {
    const policy = policyFor();
    let calls = 0;
    const answer = await policy.execute(
      () =>
        ++calls < 3
          ? Promise.reject(UpstreamError.fromStatus('supplier', 503))
          : Promise.resolve('ok'),
      { idempotent: true },
    );
    expect(answer).toBe('ok');
    const spans = telemetry.spans();
    const call = spans.find((span) => span.name === 'supplier');
    expect(call?.attributes).toMatchObject({
      upstream: 'supplier',
      'manifold.breaker.state': 'closed',
    });
    const attempts = spans.filter((span) => span.name === 'supplier attempt');
    expect(attempts.map((span) => span.attributes['manifold.retry.attempt'])).toEqual([1, 2, 3]);
    for (const attempt of attempts)
      expect(attempt.parentSpanContext?.spanId).toBe(call?.spanContext().spanId);
    expect(attempts.map((span) => span.attributes['manifold.error.code'])).toEqual([
      'UPSTREAM_UNAVAILABLE',
      'UPSTREAM_UNAVAILABLE',
      undefined,
    ]);
    const [retries] = await telemetry.points('manifold.upstream.retries');
    expect(retries).toMatchObject({ attributes: { upstream: 'supplier' }, value: 2 });
    policy.dispose();
  });

  it('reports the breaker state as a gauge, and each call’s duration by outcome', async () => {
    const policy = policyFor();
    const down = () =>
      Promise.reject(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }));
    await expect(policy.execute(down, { idempotent: false })).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
    });
    const state = await telemetry.points('manifold.upstream.breaker.state');
    expect(state.filter((point) => point.value === 1).map((point) => point.attributes)).toEqual([
      { upstream: 'supplier', state: 'open' },
    ]);
    // The open circuit fails the next call fast; its span says so.
    await expect(
      policy.execute(() => Promise.resolve('ok'), { idempotent: true }),
    ).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
    });
    expect(
      telemetry
        .spans()
        .filter((span) => span.name === 'supplier')
        .at(-1)?.attributes,
    ).toMatchObject({
      'manifold.breaker.state': 'open',
      'manifold.error.code': 'UPSTREAM_UNAVAILABLE',
    });
    expect(attributesOf(await telemetry.points('manifold.upstream.call.duration'))).toEqual([
      { upstream: 'supplier', 'error.type': 'UPSTREAM_UNAVAILABLE' },
    ]);
    policy.dispose();
  });
});
