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

/**
 * The network error code of `error` or of anything in its `cause` chain (fetch wraps them; the
 * cause is not always an Error instance).
 */
export function networkErrorCode(error: unknown): string | undefined {
  let current = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === 'string' && (UNREACHABLE_CODES.has(code) || TIMEOUT_CODES.has(code)))
      return code;
    current = cause;
  }
  return undefined;
}

/** Whether a network error code (from {@link networkErrorCode}) means "too slow" rather than "unreachable". */
export function isTimeoutCode(code: string): boolean {
  return TIMEOUT_CODES.has(code);
}
