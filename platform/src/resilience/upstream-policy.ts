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
  timeout,
  TimeoutStrategy,
  wrap,
  type IBackoff,
  type IRetryBackoffContext,
} from 'cockatiel';
import type { Logger } from 'pino';
import { isUpstreamError, normalizeError } from '../errors/index.ts';
import { createRepeatedFailureLog } from '../logging/repeated-failure.ts';
import type { UpstreamThrottle } from '../rate-limit/upstream-throttle.ts';
import {
  createResilienceMetrics,
  createUpstreamCallMetrics,
} from '../telemetry/upstream-metrics.ts';
import { inSpan } from '../telemetry/spans.ts';
import { isTimeout, isTransient } from './transient.ts';

export interface UpstreamPolicyOptions {
  /** The upstream's name, in logs, errors and /healthz. */
  name: string;
  logger: Logger;
  /** Per attempt. @default 2000 (2 s) */
  timeoutMs?: number;
  /** Attempts in all, for idempotent calls only. @default 5 */
  maxAttempts?: number;
  /** First backoff ceiling; full jitter picks in [0, ceiling), the ceiling doubling per retry. @default 100 (ms) */
  initialDelayMs?: number;
  /** Longest wait between two attempts, the upstream's Retry-After included. @default 5000 (5 s) */
  maxDelayMs?: number;
  /**
   * Consecutive failed calls that open the circuit. A call is counted once, after its retries:
   * one request that fails all its attempts is one failure. Only transient failures count.
   * @default 5
   */
  breakerThreshold?: number;
  /**
   * How long the circuit stays open before one probe (a single attempt) is let through; from then
   * on `stats().state` reports `half-open`. @default 10000 (10 s)
   */
  halfOpenAfterMs?: number;
  /**
   * The upstream's own rate limit, respected from our side (platform/rate-limit
   * `createUpstreamThrottle`): every attempt waits for its turn, and the upstream's 429 or 503
   * with Retry-After slows the throttle down instead of every caller retrying into it.
   * @default none
   */
  throttle?: UpstreamThrottle | undefined;
  /**
   * Whether an attempt that ran into `timeoutMs` is tried again. Off where a caller waits on the
   * call (the gateway's subgraph fetches): a timed-out attempt has spent its whole budget, and
   * another one doubles the wait and the load on an upstream that is already struggling.
   * @default true
   */
  retryTimeouts?: boolean;
}

export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

export interface UpstreamPolicyStats {
  /** `half-open` as soon as halfOpenAfterMs has passed: the next call will be the probe. */
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
  /**
   * Runs `call` under the policy; failures leave as catalogue errors (UPSTREAM_*) or the call's own
   * AppErrors. `signal` aborts when the attempt times out, never after `call` settles: a call must
   * be done with its resources (a response body read or cancelled) before it resolves.
   */
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

/** 1 for the first try: cockatiel counts retries from 0 (and a call without retries has none). */
const attemptOf = (context: object): number => {
  const attempt = (context as { attempt?: unknown }).attempt;
  return typeof attempt === 'number' ? attempt + 1 : 1;
};

/**
 * One resilience policy per upstream, built once at start-up and shared by every call to it,
 * outermost first: circuit breaker (counts failed calls, transient failures only) → retries with
 * exponential backoff and full jitter, no sooner than the upstream's Retry-After — for idempotent
 * calls only → timeout per attempt.
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
  throttle,
  retryTimeouts = true,
}: UpstreamPolicyOptions): UpstreamPolicy {
  const transient = handleWhen(isTransient);
  // abortOnReturn off: aborting after every return costs a DOMException per call, and no caller
  // relies on it — soap-proxy (node-soap over undici) and legacy-rest-adapter (fetch) have their whole
  // response before they return. The signal still aborts when an attempt times out.
  const perAttemptTimeout = timeout(timeoutMs, {
    strategy: TimeoutStrategy.Aggressive,
    abortOnReturn: false,
  });
  const breaker = circuitBreaker(transient, {
    halfOpenAfter: halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(breakerThreshold),
  });
  const exponential = new ExponentialBackoff({
    initialDelay: initialDelayMs,
    maxDelay: maxDelayMs,
    generator: fullJitterGenerator,
  });
  // The upstream knows best when it will be back: its Retry-After is the floor, and our own jittered
  // delay goes on top so that the clients it turned away do not all come back in the same instant.
  const backoff = new DelegateBackoff<IRetryBackoffContext<unknown>, IBackoff<unknown> | undefined>(
    (context, previous) => {
      const next = previous ?? exponential.next();
      const error = 'error' in context.result ? context.result.error : undefined;
      // With a throttle, the upstream's Retry-After holds back the next attempt there (within
      // the caller's wait budget), so the backoff adds only its own jitter.
      const retryAfterMs =
        throttle === undefined && isUpstreamError(error) ? (error.retryAfterMs ?? 0) : 0;
      return {
        delay: Math.min(retryAfterMs + next.duration, maxDelayMs),
        state: next.next(context),
      };
    },
  );
  // Retries only while the circuit is closed. A half-open probe is one attempt: an upstream still
  // failing re-opens the circuit at once, and the callers cockatiel holds back until the probe
  // settles are not kept waiting for a schedule. Once other calls have opened the circuit, calls
  // still in their retries stop too: the upstream is known to be down, so it is left alone.
  const retryable = handleWhen(
    (error) =>
      isTransient(error) &&
      breaker.state === CircuitState.Closed &&
      (retryTimeouts || !isTimeout(error)),
  );
  // maxAttempts counts the first try; cockatiel's counts retries.
  const retries = retry(retryable, { maxAttempts: Math.max(0, maxAttempts - 1), backoff });

  const stats = { retries: 0, breaks: 0 };
  const state = (): BreakerState =>
    breaker.state === CircuitState.Open && Date.now() - openedAt >= halfOpenAfterMs
      ? 'half-open'
      : STATES[breaker.state];
  const calls = createUpstreamCallMetrics(name);
  const resilienceMetrics = createResilienceMetrics(name, state);
  // cockatiel moves to half-open only when the next call arrives; /healthz should see it before.
  let openedAt = 0;
  // An upstream that keeps failing makes a retry per call: one line for the run, then counts.
  const retrying = createRepeatedFailureLog(logger, {
    message: 'retrying upstream calls',
    fields: { upstream: name },
  });
  const listeners = [
    retries.onRetry(() => {
      stats.retries++;
      resilienceMetrics.retried();
      retrying.failed();
    }),
    breaker.onBreak(() => {
      openedAt = Date.now(); // Date.now(), as cockatiel's own open → half-open check
      stats.breaks++;
      logger.error({ upstream: name, halfOpenAfterMs }, 'circuit opened: upstream failing');
    }),
    breaker.onHalfOpen(() => {
      logger.info({ upstream: name }, 'circuit half-open: probing upstream');
    }),
    breaker.onReset(() => {
      retrying.recovered();
      logger.info({ upstream: name }, 'circuit closed: upstream recovered');
    }),
  ];
  // Breaker outside the retries: it sees a call's outcome once, after all its attempts, and an open
  // circuit fails fast before any attempt (or retry) is made.
  const idempotentPolicy = wrap(breaker, retries);
  const singleShotPolicy = breaker;
  // One attempt: its turn at the upstream's rate (outside the timeout — waiting is not the
  // upstream being slow), then the call under the per-attempt timeout.
  const attempt = async <T>(
    call: (signal: AbortSignal) => Promise<T>,
    attemptNumber: number,
    signal: AbortSignal,
  ): Promise<T> => {
    await throttle?.acquire(signal);
    try {
      return await perAttemptTimeout.execute(
        (context) =>
          inSpan(
            `${name} attempt`,
            { upstream: name, 'manifold.retry.attempt': attemptNumber },
            () => call(context.signal),
          ),
        signal,
      );
    } catch (error) {
      if (throttle && isUpstreamError(error) && pushedBack(error))
        throttle.pushBack(error.retryAfterMs ?? 1_000);
      throw error;
    }
  };

  return {
    name,
    // One span per call (the upstream, the breaker's state as the call starts), one child span
    // per attempt (its number): a trace shows how a slow answer was spent — retries, backoff, a
    // fast failure on an open circuit.
    execute(call, { idempotent }) {
      const run = (context: { signal: AbortSignal }) =>
        attempt(call, attemptOf(context), context.signal);
      return inSpan(name, { upstream: name, 'manifold.breaker.state': state() }, () =>
        calls.measure(async () => {
          try {
            return await (idempotent
              ? idempotentPolicy.execute(run)
              : singleShotPolicy.execute(run));
          } catch (error) {
            // An open circuit knows when it will let a probe through; anything else may be retried soon.
            const retryAfterSeconds =
              error instanceof BrokenCircuitError ? Math.ceil(halfOpenAfterMs / 1000) : 1;
            throw normalizeError(error, { upstream: name, retryAfterSeconds }) ?? error;
          }
        }),
      );
    },
    stats: () => ({ state: state(), ...stats }),
    dispose: () => {
      for (const listener of listeners) listener.dispose();
      resilienceMetrics.dispose();
    },
  };
}

/** An upstream asking us to wait: 429 Too Many Requests, or 503 with a Retry-After. */
const pushedBack = (error: {
  upstreamStatus: number | undefined;
  retryAfterMs: number | undefined;
}) =>
  error.upstreamStatus === 429 ||
  (error.upstreamStatus === 503 && error.retryAfterMs !== undefined);

/**
 * The longest one idempotent call can take under these options: every attempt running into its
 * timeout and every wait between attempts at its ceiling. A throttle's wait for the upstream's
 * turn comes on top, but only once the upstream is at its published rate or has asked us to
 * wait — and never longer than its budget, after which the call fails fast. A caller's own deadline must be longer,
 * or it gives up while the policy is still about to succeed (the timeout chain test checks ours).
 */
export function worstCaseCallMs({
  timeoutMs = 2_000,
  maxAttempts = 5,
  maxDelayMs = 5_000,
}: Pick<UpstreamPolicyOptions, 'timeoutMs' | 'maxAttempts' | 'maxDelayMs'>): number {
  return maxAttempts * timeoutMs + (maxAttempts - 1) * maxDelayMs;
}
