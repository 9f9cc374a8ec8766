import { AppError, normalizeError } from '../errors/index.ts';

/** Failures where the request never left: nothing can have happened upstream. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** The first system error code along `error`'s cause chain (fetch hides it under `cause`). */
export const networkCodeOf = (error: unknown): string | undefined => {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e)
    if (typeof e.code === 'string' && e.code !== 'ERR_CANCELED') return e.code;
  return undefined;
};

/**
 * Whether a failed send certainly never reached the upstream (refused, unresolvable,
 * unreachable). Anything else — a timeout, a reset, a socket closed mid-answer — may have.
 */
export const wasNotSent = (error: unknown): boolean => {
  const code = networkCodeOf(error);
  return code !== undefined && NOT_SENT.has(code);
};

/**
 * The caller's typed error (502/504 …), carrying the id of the dead letter its request was
 * recorded as (`deadLetterId` in the problem): support finds it with
 * `GET /api/v1/dead-letters/{id}` on the webhooks service.
 */
export function withDeadLetterId(error: unknown, deadLetterId: string, upstream: string): unknown {
  const normalized = normalizeError(error, { upstream });
  if (!normalized) return error;
  return new AppError(normalized.code, normalized.message, {
    cause: normalized.cause ?? error,
    details: { ...normalized.details, deadLetterId },
    errors: normalized.errors,
    headers: normalized.headers,
  });
}
