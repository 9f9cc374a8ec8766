import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  DelegateBackoff,
  ExponentialBackoff,
  circuitBreaker,
  fullJitterGenerator,
  handleWhen,
  retry,
  TaskCancelledError,
  timeout,
  TimeoutStrategy,
  wrap,
  type IBackoff,
  type IRetryBackoffContext,
} from 'cockatiel';
import type { Logger } from 'pino';
import { isAppError } from '../errors/AppError.ts';
import { isTransient, networkErrorCode } from './transient.ts';
import { isUpstreamError, UpstreamError } from './UpstreamError.ts';

export interface UpstreamPolicyOptions {
  /** The upstream's name, in logs, errors and /healthz. */
  name: string;
  logger: Logger;
  /** Per attempt. @default 2000 (2 s) */
  timeoutMs?: number;
  /** Attempts in all, for idempotent calls only. @default 5 */
  maxAttempts?: number;
  /** First backoff ceiling; full jitter picks in [0, ceiling). @default 100 (ms) */
  initialDelayMs?: number;
  /** @default 5000 (5 s) */
  maxDelayMs?: number;
  /** Consecutive transient failures that open the circuit. @default 5 */
  breakerThreshold?: number;
  /** How long the circuit stays open before one probe is let through. @default 10000 (10 s) */
  halfOpenAfterMs?: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

export interface UpstreamPolicyStats {
  state: BreakerState;
  retries: number;
  breaks: number;
}

export interface CallOptions {
  /** Safe to repeat: only then is a failed attempt retried. Breaker and timeout apply either way. */
  idempotent: boolean;
}

export interface UpstreamPolicy {
  readonly name: string;
  /** Runs `call` under the policy; failures leave as catalogue errors (UPSTREAM_*) or the call's own AppErrors. */
  execute<T>(call: (signal: AbortSignal) => Promise<T>, options: CallOptions): Promise<T>;
  stats(): UpstreamPolicyStats;
  dispose(): void;
}

const STATES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

/**
 * One resilience policy per upstream, built once at start-up and shared by every call to it:
 * timeout per attempt → circuit breaker (counts transient failures only) → retries with exponential
 * backoff and full jitter, honouring the upstream's Retry-After — for idempotent calls only.
 */
export function createUpstreamPolicy({
  name,
  logger,
  timeoutMs = 2_000,
  maxAttempts = 5,
  initialDelayMs = 100,
  maxDelayMs = 5_000,
  breakerThreshold = 5,
  halfOpenAfterMs = 10_000,
}: UpstreamPolicyOptions): UpstreamPolicy {
  const transient = handleWhen(isTransient);
  const perAttemptTimeout = timeout(timeoutMs, TimeoutStrategy.Aggressive);
  const breaker = circuitBreaker(transient, {
    halfOpenAfter: halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(breakerThreshold),
  });
  const exponential = new ExponentialBackoff({
    initialDelay: initialDelayMs,
    maxDelay: maxDelayMs,
    generator: fullJitterGenerator,
  });
  // The upstream knows best when it will be back: its Retry-After wins over our own schedule.
  const backoff = new DelegateBackoff<IRetryBackoffContext<unknown>, IBackoff<unknown> | undefined>(
    (context, previous) => {
      const next = previous ?? exponential.next();
      const error = 'error' in context.result ? context.result.error : undefined;
      const retryAfterMs = isUpstreamError(error) ? error.retryAfterMs : undefined;
      return {
        delay: Math.min(retryAfterMs ?? next.duration, maxDelayMs),
        state: next.next(context),
      };
    },
  );
  // maxAttempts counts the first try; cockatiel's counts retries.
  const retries = retry(transient, { maxAttempts: Math.max(0, maxAttempts - 1), backoff });

  const stats = { retries: 0, breaks: 0 };
  const listeners = [
    retries.onRetry((event) => {
      stats.retries++;
      logger.warn(
        { upstream: name, attempt: event.attempt, delayMs: event.delay },
        'retrying upstream call',
      );
    }),
    breaker.onBreak(() => {
      stats.breaks++;
      logger.error({ upstream: name, halfOpenAfterMs }, 'circuit opened: upstream failing');
    }),
    breaker.onHalfOpen(() => {
      logger.info({ upstream: name }, 'circuit half-open: probing upstream');
    }),
    breaker.onReset(() => {
      logger.info({ upstream: name }, 'circuit closed: upstream recovered');
    }),
  ];
  const idempotentPolicy = wrap(retries, breaker, perAttemptTimeout);
  const singleShotPolicy = wrap(breaker, perAttemptTimeout);

  return {
    name,
    async execute(call, { idempotent }) {
      const policy = idempotent ? idempotentPolicy : singleShotPolicy;
      try {
        return await policy.execute(({ signal }) => call(signal));
      } catch (error) {
        throw toCatalogueError(name, error, halfOpenAfterMs);
      }
    },
    stats: () => ({ state: STATES[breaker.state], ...stats }),
    dispose: () => {
      for (const listener of listeners) listener.dispose();
    },
  };
}

function toCatalogueError(upstream: string, error: unknown, halfOpenAfterMs: number): unknown {
  if (error instanceof BrokenCircuitError) {
    return new UpstreamError(
      'UPSTREAM_UNAVAILABLE',
      upstream,
      `${upstream} is unavailable (circuit open)`,
      {
        transient: true,
        cause: error,
        details: { retryAfterSeconds: Math.ceil(halfOpenAfterMs / 1000) },
      },
    );
  }
  if (error instanceof TaskCancelledError) {
    return new UpstreamError('UPSTREAM_TIMEOUT', upstream, `${upstream} timed out`, {
      transient: true,
      cause: error,
    });
  }
  if (isAppError(error)) return error;
  const code = networkErrorCode(error);
  if (code !== undefined) {
    return new UpstreamError(
      'UPSTREAM_UNAVAILABLE',
      upstream,
      `${upstream} is unreachable (${code})`,
      {
        transient: true,
        cause: error,
        details: { retryAfterSeconds: 1 },
      },
    );
  }
  return error;
}
