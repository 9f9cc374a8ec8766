import { errorCatalog, isErrorCode } from '@manifold/platform/errors';

/** What a GraphQL destination's answer with `errors` means for the delivery. */
export interface GraphQLFailure {
  /** Worth another attempt (same rule as an HTTP status: 408, 429, 5xx). */
  transient: boolean;
  /** For the attempt's history: `GraphQL errors: CODE, CODE`. */
  message: string;
}

/**
 * A GraphQL server answers 200 with `errors` when a field failed: for a delivery that is a
 * failure, not a success. Each error's `extensions.code` is looked up in the platform's catalogue
 * and judged by its HTTP status as a REST answer would be: a code of a deliberate refusal (4xx
 * but 408/429 — BAD_USER_INPUT, FORBIDDEN, UNAUTHENTICATED, CONFLICT…) makes it a dead letter
 * at once, since the same request would be refused again; otherwise (UPSTREAM_UNAVAILABLE,
 * RATE_LIMITED, INTERNAL_SERVER_ERROR, a code the catalogue does not know, none) it is retried on
 * the schedule — safe for a mutation that carries its idempotency key. An answer that is not
 * JSON with an `errors` list is not judged here (undefined): its status decides.
 */
export function graphqlFailure(answer: string): GraphQLFailure | undefined {
  let errors: unknown;
  try {
    errors = (JSON.parse(answer) as { errors?: unknown } | null)?.errors;
  } catch {
    return undefined;
  }
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  const codes = errors.map((error: unknown) => {
    const code = (error as { extensions?: { code?: unknown } } | null)?.extensions?.code;
    return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
  });
  const refused = codes.some((code) => {
    const status = isErrorCode(code) ? errorCatalog[code].status : 500;
    return status >= 400 && status < 500 && status !== 408 && status !== 429;
  });
  return { transient: !refused, message: `GraphQL errors: ${[...new Set(codes)].join(', ')}` };
}
