import { TaskCancelledError } from 'cockatiel';
import { isAppError } from '../errors/AppError.ts';
import { isUpstreamError } from './UpstreamError.ts';

// The upstream could not be reached: the request may never have got there. ENOTFOUND is transient
// too: a name that does not resolve is, in a running system, a DNS or deploy hiccup far more often
// than a typo (which shows up as a circuit that never closes).
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT', // the TCP connect timed out
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
]);

// Reached, but no answer in time: axios's own `timeout` (ECONNABORTED; node-soap's default
// client), undici's header/body timers, or an attempt our signal cancelled (ERR_CANCELED, as
// axios and soap-proxy's undici transport name it).
const TIMEOUT_CODES = new Set([
  'ECONNABORTED',
  'ERR_CANCELED',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** The network error code of `error` or of any error in its `cause` chain (fetch wraps them). */
export function networkErrorCode(error: unknown): string | undefined {
  let current = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (UNREACHABLE_CODES.has(code) || TIMEOUT_CODES.has(code)))
      return code;
    current = current.cause;
  }
  return undefined;
}

/** Whether a network error code (from {@link networkErrorCode}) means "too slow" rather than "unreachable". */
export function isTimeoutCode(code: string): boolean {
  return TIMEOUT_CODES.has(code);
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
