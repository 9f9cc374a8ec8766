import { TaskCancelledError } from 'cockatiel';
import { isAppError, isTimeoutCode, isUpstreamError, networkErrorCode } from '../errors/index.ts';

/**
 * Whether a failure is worth retrying and counts against the circuit breaker: timeouts, network
 * errors and upstream 502/503/504. Never a client fault (our deliberate 4xx AppErrors), never a bug.
 */
export function isTransient(error: unknown): boolean {
  if (error instanceof TaskCancelledError) return true;
  if (isUpstreamError(error)) return error.transient;
  if (isAppError(error)) return false;
  return networkErrorCode(error) !== undefined;
}

/** Whether a failure is an attempt that ran out of time (ours, or the HTTP client's own timers). */
export function isTimeout(error: unknown): boolean {
  if (error instanceof TaskCancelledError) return true;
  const code = networkErrorCode(error);
  return code !== undefined && isTimeoutCode(code);
}
