import { setTimeout as sleep } from 'node:timers/promises';
import { UpstreamError } from '../errors/index.ts';

export interface UpstreamThrottleOptions {
  /** The upstream's name, in errors. */
  name: string;
  /**
   * The upstream's published limit, for this process (divide it by the replicas that share it).
   * Unset: it publishes none, and only its push-backs (429/503 with Retry-After) slow us down.
   */
  callsPerSecond?: number | undefined;
  /** Calls let through at once after a quiet spell. @default one second's worth (at least 1) */
  burst?: number;
  /**
   * The longest a call waits for its turn. A call that would wait longer fails at once with 503
   * UPSTREAM_UNAVAILABLE and a Retry-After saying when the upstream will take calls again.
   * @default 2000 (2 s)
   */
  waitBudgetMs?: number;
  /**
   * After a push-back, the rate drops to half and climbs back to `callsPerSecond` over this long.
   * @default 10000 (10 s)
   */
  recoveryMs?: number;
  /** @default performance.now */
  now?: () => number;
}

export interface UpstreamThrottle {
  /**
   * Waits for this call's turn. Resolves at once (undefined, no promise) when one is free;
   * rejects with a non-transient UpstreamError UPSTREAM_UNAVAILABLE (Retry-After) when the wait
   * would exceed the budget — never retried, never counted by the circuit breaker: the upstream
   * is not failing, it asked us to wait.
   */
  acquire(signal?: AbortSignal): Promise<void> | undefined;
  /** The upstream said "not now" (429, or 503 with Retry-After): no call before then, then slower. */
  pushBack(retryAfterMs: number): void;
  stats(): UpstreamThrottleStats;
}

export interface UpstreamThrottleStats {
  /** The rate calls go out at now; undefined without a published limit. */
  callsPerSecond: number | undefined;
  /** How long the upstream's last Retry-After still holds calls back (ms). */
  pausedForMs: number;
  pushBacks: number;
}

/**
 * The client side of an upstream's rate limit: a token bucket at its published rate, which it
 * can slow down. Calls reserve their turn (the bucket may go below zero: each waiter waits for
 * the token it reserved, in arrival order), so the upstream sees at most `callsPerSecond`
 * whatever the load here. When it answers 429 or 503 with Retry-After anyway (another client of
 * it, a lower limit than published), no call goes out until then, and the rate halves and comes
 * back over `recoveryMs` — instead of every queued caller hitting it again at the same instant.
 * In process on purpose: a wait is only useful to the caller waiting in this process.
 */
export function createUpstreamThrottle({
  name,
  callsPerSecond,
  burst = Math.max(1, Math.floor(callsPerSecond ?? 1)),
  waitBudgetMs = 2_000,
  recoveryMs = 10_000,
  now = () => performance.now(),
}: UpstreamThrottleOptions): UpstreamThrottle {
  let tokens = burst;
  let refilledAt = now();
  let pausedUntil = 0;
  let reducedRate = callsPerSecond ?? 0;
  let pushBacks = 0;
  /** The rate at `at`: halved after a push-back, back to the published one `recoveryMs` later. */
  const rateAt = (at: number): number => {
    if (callsPerSecond === undefined) return 0;
    if (reducedRate >= callsPerSecond) return callsPerSecond;
    const recovered = Math.min(1, Math.max(0, at - pausedUntil) / recoveryMs);
    return reducedRate + (callsPerSecond - reducedRate) * recovered;
  };
  const refill = (at: number) => {
    // Nothing refills while the upstream has asked for a pause.
    const from = Math.max(refilledAt, pausedUntil);
    if (at > from) tokens = Math.min(burst, tokens + ((at - from) / 1000) * rateAt(at));
    refilledAt = Math.max(refilledAt, at);
  };
  const refuse = (waitMs: number) =>
    new UpstreamError(
      'UPSTREAM_UNAVAILABLE',
      name,
      `${name} asked us to slow down; the next free call is in ${Math.ceil(waitMs)} ms, beyond this call's budget of ${waitBudgetMs} ms`,
      { transient: false, details: { retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) } },
    );
  return {
    acquire(signal) {
      const at = now();
      const paused = Math.max(0, pausedUntil - at);
      if (callsPerSecond === undefined) {
        if (paused === 0) return undefined;
        if (paused > waitBudgetMs) return Promise.reject(refuse(paused));
        return sleep(paused, undefined, { signal });
      }
      refill(at);
      const rate = rateAt(at + paused);
      const wait = paused + (tokens >= 1 ? 0 : ((1 - tokens) / rate) * 1000);
      if (wait > waitBudgetMs) return Promise.reject(refuse(wait));
      tokens -= 1; // reserved, even while waiting for it
      return wait <= 0 ? undefined : sleep(wait, undefined, { signal });
    },
    pushBack(retryAfterMs) {
      const at = now();
      pushBacks++;
      if (callsPerSecond !== undefined) {
        refill(at);
        reducedRate = Math.max(callsPerSecond / 8, rateAt(at) / 2);
        // What was saved up is spent: after the pause, calls resume at the reduced rate.
        tokens = Math.min(tokens, 0);
      }
      pausedUntil = Math.max(pausedUntil, at + retryAfterMs);
    },
    stats: () => {
      const at = now();
      return {
        callsPerSecond: callsPerSecond === undefined ? undefined : rateAt(at),
        pausedForMs: Math.max(0, pausedUntil - at),
        pushBacks,
      };
    },
  };
}
