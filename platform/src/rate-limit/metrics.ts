import { manifoldMeter } from '../telemetry/meter.ts';

export interface RateLimitMetrics {
  /** A request (or a cost) refused under `policy`. */
  limited: (policy: string) => void;
  /** The store could not be asked; `mode` says what the limiter did about it. */
  storeFailed: (mode: 'open' | 'closed') => void;
}

/**
 * `manifold.rate_limit.refusals{policy}` and `manifold.rate_limit.store_failures{mode}`
 * (counters): who is being turned away, and how often the limits went unchecked (fail-open) or
 * refused everyone (fail-closed) because Redis was down. Policy names come from the access file,
 * so the label stays bounded.
 */
export function createRateLimitMetrics(): RateLimitMetrics {
  const meter = manifoldMeter();
  const refusals = meter.createCounter('manifold.rate_limit.refusals', {
    unit: '{request}',
    description: 'Requests (or GraphQL cost) refused by a rate limit, per policy.',
  });
  const storeFailures = meter.createCounter('manifold.rate_limit.store_failures', {
    unit: '{request}',
    description:
      'Rate-limit checks the store (Redis) could not answer: let through unchecked (mode=open) or refused (mode=closed).',
  });
  return {
    limited: (policy) => {
      refusals.add(1, { policy });
    },
    storeFailed: (mode) => {
      storeFailures.add(1, { mode });
    },
  };
}
