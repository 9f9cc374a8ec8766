import type { ObservableResult } from '@opentelemetry/api';
import { durationHistogram, errorTypeLabel } from './instruments.ts';
import { manifoldMeter } from './meter.ts';

/** Calls to one upstream, timed: a call counts once, whatever retries it took. */
export interface UpstreamCallMetrics {
  /** Runs `call`, recording how long it took and the catalogue code it failed with, if it did. */
  measure: <T>(call: () => Promise<T>) => Promise<T>;
}

const codeOf = (error: unknown): string => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
};

/** `manifold.upstream.call.duration{upstream, error.type}`: duration and outcome of calls to `upstream`. */
export function createUpstreamCallMetrics(upstream: string): UpstreamCallMetrics {
  const duration = durationHistogram(
    'manifold.upstream.call.duration',
    'Duration of calls to an upstream (a SOAP supplier, the legacy monolith, soap-proxy), retries included.',
  );
  const ok = { upstream };
  return {
    measure: async (call) => {
      const started = performance.now();
      try {
        const result = await call();
        duration.record((performance.now() - started) / 1000, ok);
        return result;
      } catch (error) {
        duration.record((performance.now() - started) / 1000, {
          upstream,
          'error.type': errorTypeLabel(codeOf(error)),
        });
        throw error;
      }
    },
  };
}

/** The states a circuit breaker reports; each is a series, 1 for the current one, 0 for the others. */
const BREAKER_STATES = ['closed', 'open', 'half-open', 'isolated'] as const;
type BreakerStateName = (typeof BREAKER_STATES)[number];

export interface ResilienceMetrics {
  retried: () => void;
  /** Stops reporting the breaker's state (the policy is disposed). */
  dispose: () => void;
}

/**
 * `manifold.upstream.retries{upstream}` (counter) and `manifold.upstream.breaker.state{upstream,
 * state}` (gauge, 1 for the current state): what the upstream policy did, read from cockatiel's events
 * and state.
 */
export function createResilienceMetrics(
  upstream: string,
  state: () => BreakerStateName,
): ResilienceMetrics {
  const meter = manifoldMeter();
  const retries = meter.createCounter('manifold.upstream.retries', {
    unit: '{retry}',
    description: 'Attempts repeated after a transient upstream failure.',
  });
  const breaker = meter.createObservableGauge('manifold.upstream.breaker.state', {
    description: 'Circuit breaker state per upstream: 1 for the current state, 0 for the others.',
  });
  const observe = (result: ObservableResult) => {
    const current = state();
    for (const candidate of BREAKER_STATES)
      result.observe(candidate === current ? 1 : 0, { upstream, state: candidate });
  };
  breaker.addCallback(observe);
  const attributes = { upstream };
  return {
    retried: () => {
      retries.add(1, attributes);
    },
    dispose: () => {
      breaker.removeCallback(observe);
    },
  };
}
