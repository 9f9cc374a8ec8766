import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import type { AppError } from './AppError.ts';
import { isErrorCode } from './codes.ts';
import { normalizeError } from './normalize.ts';

/** Turns an AppError into a GraphQLError carrying the catalogue code in `extensions.code`. */
export function toGraphQLError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  const appError = normalizeError(error);
  if (appError) {
    return new GraphQLError(appError.message, {
      originalError: appError,
      extensions: {
        code: appError.code,
        ...(appError.details ?? {}),
        ...(appError.errors.length > 0 ? { errors: appError.errors } : {}),
      },
    });
  }
  return new GraphQLError('Internal server error', {
    originalError: error instanceof Error ? error : undefined,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  });
}

export interface FormatErrorOptions {
  /** Hide messages of unexpected errors and every stack trace (production). */
  maskUnexpected: boolean;
}

/**
 * Apollo `formatError`: keeps deliberate errors (catalogue codes, Apollo protocol codes),
 * masks everything else in production, strips stack traces in production.
 */
export function createFormatError({ maskUnexpected }: FormatErrorOptions) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapOriginalError(error);
    const appError = normalizeError(original);
    if (appError) formatted = withAppErrorCode(formatted, appError);
    const code = formatted.extensions?.['code'];
    const deliberate =
      appError !== undefined ||
      (typeof code === 'string' && isErrorCode(code) && code !== 'INTERNAL_SERVER_ERROR') ||
      (original === error && error instanceof Error && code !== 'INTERNAL_SERVER_ERROR');
    if (!maskUnexpected) return formatted;
    const { stacktrace: _stack, exception: _exception, ...extensions } = formatted.extensions ?? {};
    if (deliberate) return { ...formatted, extensions };
    return {
      message: 'Internal server error',
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: {
        code: 'INTERNAL_SERVER_ERROR',
        ...(typeof extensions['serviceName'] === 'string'
          ? { serviceName: extensions['serviceName'] }
          : {}),
      },
    };
  };
}

/** A resolver threw an AppError: its catalogue code (and client-safe details) replace Apollo's default. */
function withAppErrorCode(
  formatted: GraphQLFormattedError,
  error: AppError,
): GraphQLFormattedError {
  return {
    ...formatted,
    extensions: {
      ...formatted.extensions,
      ...(error.details ?? {}),
      ...(error.errors.length > 0 ? { errors: error.errors } : {}),
      code: error.code,
    },
  };
}

/**
 * The error a resolver threw, under GraphQL's wrappers. Duck-typed on purpose: graphql ships CJS and
 * ESM builds, and with two copies loaded `instanceof GraphQLError` is false for the other copy's errors.
 */
function unwrapOriginalError(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 5; depth++) {
    const inner = (current as { originalError?: unknown } | null)?.originalError;
    if (inner === undefined || inner === null) return current;
    current = inner;
  }
  return current;
}
