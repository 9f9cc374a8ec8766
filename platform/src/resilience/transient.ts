import { TaskCancelledError } from 'cockatiel';
import { isAppError } from '../errors/AppError.ts';
import { isUpstreamError } from './UpstreamError.ts';

// Socket-level failures worth another try: the request may never have reached the upstream.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** The network error code of `error` or of any error in its `cause` chain (fetch wraps them). */
export function networkErrorCode(error: unknown): string | undefined {
  let current = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    current = current.cause;
  }
  return undefined;
}

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
