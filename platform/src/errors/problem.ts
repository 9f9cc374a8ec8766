import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { AppError, type FieldError } from './AppError.ts';
import { type ErrorCode, errorCatalog } from './codes.ts';
import { normalizeError } from './normalize.ts';

/** RFC 9457 problem details, as every Manifold REST endpoint answers errors. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const TYPE_BASE = 'https://manifold.dev/errors/';

export interface ToProblemOptions {
  /** Request path or id identifying this occurrence. */
  instance?: string;
  /** When true, messages of unexpected errors are hidden. */
  maskUnexpected: boolean;
}

export function toProblem(
  error: unknown,
  { instance, maskUnexpected }: ToProblemOptions,
): ProblemDetails {
  const appError = normalizeError(error);
  const code = appError?.code ?? 'INTERNAL_SERVER_ERROR';
  const entry = errorCatalog[code];
  const problem: ProblemDetails = {
    type: `${TYPE_BASE}${code.toLowerCase().replaceAll('_', '-')}`,
    title: entry.title,
    status: entry.status,
    code,
  };
  if (appError) {
    problem.detail = appError.message;
    if (appError.errors.length > 0) problem.errors = [...appError.errors];
    if (appError.details) Object.assign(problem, appError.details);
  } else if (!maskUnexpected && error instanceof Error) {
    problem.detail = error.message;
  }
  if (instance !== undefined) problem.instance = instance;
  return problem;
}

/** The HTTP headers an error's answer carries: its own (WWW-Authenticate, RateLimit…) and Retry-After. */
export function problemHeaders(error: unknown): Record<string, string> {
  const appError = normalizeError(error);
  if (!appError) return {};
  const headers: Record<string, string> = { ...appError.headers };
  const retryAfter = appError.details?.['retryAfterSeconds'];
  if (typeof retryAfter === 'number') headers['retry-after'] = String(Math.ceil(retryAfter));
  return headers;
}

export interface ProblemMiddlewareOptions {
  logger: Logger;
  /** Hide the messages of unexpected errors (production). */
  maskUnexpected: boolean;
}

/** The last Express middleware: every error leaves as problem+json, unexpected ones are logged. */
export function problemMiddleware({
  logger,
  maskUnexpected,
}: ProblemMiddlewareOptions): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const problem = toProblem(error, { instance: req.originalUrl, maskUnexpected });
    // The access log line carries the code; only a bug gets a line (and a stack) of its own.
    res.locals.errorCode = problem.code;
    if (problem.code === 'INTERNAL_SERVER_ERROR')
      logger.error(
        { err: error, path: req.path, requestId: res.locals.requestId },
        'request failed',
      );
    if (res.headersSent) return;
    res.set(problemHeaders(error)).status(problem.status).type(PROBLEM_CONTENT_TYPE).json(problem);
  };
}

/** Answers 404 problem+json for any route nobody handled. */
export function notFoundMiddleware(): RequestHandler {
  return (req, _res, next) => {
    next(new AppError('NOT_FOUND', `No route for ${req.method} ${req.path}`));
  };
}
