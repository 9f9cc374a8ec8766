import { type ErrorCode, errorCatalog, isErrorCode } from './codes.ts';

/** A field-level problem, addressed by an RFC 6901 JSON pointer into the request. */
export interface FieldError {
  readonly pointer: string;
  readonly detail: string;
}

export interface AppErrorOptions {
  /** The underlying error; logged, never sent to clients. */
  cause?: unknown;
  /** Client-safe extra data (GraphQL extensions / problem+json members). */
  details?: Readonly<Record<string, unknown>>;
  /** Field-level problems (problem+json `errors[]`). */
  errors?: readonly FieldError[];
  /** HTTP headers the answer must carry (`WWW-Authenticate`, `RateLimit`…); Retry-After comes from `details.retryAfterSeconds`. */
  headers?: Readonly<Record<string, string>>;
}

/**
 * A deliberate, client-safe error with a catalogue code. Anything else thrown is a bug:
 * it becomes INTERNAL_SERVER_ERROR and its message is masked in production.
 * Match on `.code`, not `instanceof` (a second copy of this module may exist across packages).
 */
export class AppError extends Error {
  override name = 'AppError';
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;
  readonly errors: readonly FieldError[];
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.details = options.details;
    this.errors = options.errors ?? [];
    this.headers = options.headers ?? {};
  }

  get status(): number {
    return errorCatalog[this.code].status;
  }
}

/**
 * Duck-typed check (an AppError or a subclass such as UpstreamError) that works across module
 * copies: a catalogue code and field errors, which nothing else thrown carries together.
 */
export function isAppError(error: unknown): error is AppError {
  return (
    error instanceof Error &&
    isErrorCode((error as { code?: unknown }).code) &&
    Array.isArray((error as { errors?: unknown }).errors)
  );
}
