import { AppError, type AppErrorOptions } from './AppError.ts';
import type { ErrorCode } from './codes.ts';

export interface UpstreamErrorOptions extends AppErrorOptions {
  /** Whether trying again may succeed (5xx gateway statuses, network failures). */
  transient: boolean;
  /** HTTP status the upstream answered, when it answered. */
  status?: number;
  /** The upstream's own Retry-After, in milliseconds. */
  retryAfterMs?: number;
}

/** An upstream (SOAP supplier, legacy app, subgraph) failed; carries which one and whether to retry. */
export class UpstreamError extends AppError {
  override name = 'UpstreamError';
  readonly upstream: string;
  readonly transient: boolean;
  readonly upstreamStatus: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(
    code: ErrorCode,
    upstream: string,
    message: string,
    { transient, status, retryAfterMs, ...options }: UpstreamErrorOptions,
  ) {
    super(code, message, { ...options, details: { upstream, ...options.details } });
    this.upstream = upstream;
    this.transient = transient;
    this.upstreamStatus = status;
    this.retryAfterMs = retryAfterMs;
  }

  /** An upstream's HTTP status as an error: 502/503/504 are transient, anything else is not. */
  static fromStatus(
    upstream: string,
    status: number,
    { retryAfterMs, cause }: { retryAfterMs?: number; cause?: unknown } = {},
  ): UpstreamError {
    const transient = status === 502 || status === 503 || status === 504 || status === 429;
    const code: ErrorCode =
      status === 504
        ? 'UPSTREAM_TIMEOUT'
        : status === 503 || status === 429
          ? 'UPSTREAM_UNAVAILABLE'
          : 'UPSTREAM_ERROR';
    // Callers get a Retry-After whenever the upstream is unavailable: its own, or one second.
    const details =
      code === 'UPSTREAM_UNAVAILABLE'
        ? { retryAfterSeconds: Math.max(1, Math.ceil((retryAfterMs ?? 1_000) / 1_000)) }
        : {};
    return new UpstreamError(code, upstream, `${upstream} answered HTTP ${status}`, {
      transient,
      status,
      details,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      cause,
    });
  }
}

export function isUpstreamError(error: unknown): error is UpstreamError {
  return (
    error instanceof Error &&
    typeof (error as { upstream?: unknown }).upstream === 'string' &&
    typeof (error as { transient?: unknown }).transient === 'boolean'
  );
}
