import { TaskCancelledError } from 'cockatiel';
import { isAppError, isUpstreamError, networkErrorCode } from '../errors/index.ts';

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
