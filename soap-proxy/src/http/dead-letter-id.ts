import { AppError, normalizeError } from '@manifold/platform/errors';

/**
 * The caller's typed error (502/504), carrying the id of the dead letter its request was recorded
 * as (`deadLetterId` in the problem): support finds it with `GET /api/v1/dead-letters/{id}`.
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
