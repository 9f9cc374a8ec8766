/**
 * The error catalogue: the one list of stable codes every Manifold service speaks.
 * REST answers with them in problem+json, GraphQL in `extensions.code`, SOAP faults map into them.
 * Codes are added, never renamed or reused: clients match on them.
 */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  BAD_REQUEST: 'BAD_REQUEST',
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  OPERATION_RESOLUTION_FAILURE: 'OPERATION_RESOLUTION_FAILURE',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  CONFLICT: 'CONFLICT',
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  VARIABLES_TOO_LARGE: 'VARIABLES_TOO_LARGE',
  HEADERS_TOO_LARGE: 'HEADERS_TOO_LARGE',
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  RATE_LIMITED: 'RATE_LIMITED',
  OPERATION_LIMIT_EXCEEDED: 'OPERATION_LIMIT_EXCEEDED',
  TRUSTED_DOCUMENT_REQUIRED: 'TRUSTED_DOCUMENT_REQUIRED',
  TRUSTED_DOCUMENT_NOT_FOUND: 'TRUSTED_DOCUMENT_NOT_FOUND',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  UPSTREAM_ERROR: 'UPSTREAM_ERROR',
  UPSTREAM_REJECTED: 'UPSTREAM_REJECTED',
  UPSTREAM_UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  UPSTREAM_TIMEOUT: 'UPSTREAM_TIMEOUT',
  UPSTREAM_RESPONSE_TOO_LARGE: 'UPSTREAM_RESPONSE_TOO_LARGE',
  NOT_READY: 'NOT_READY',
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  SCHEMA_CHECK_FAILED: 'SCHEMA_CHECK_FAILED',
  WEBHOOK_SIGNATURE_INVALID: 'WEBHOOK_SIGNATURE_INVALID',
  WEBHOOK_TIMESTAMP_STALE: 'WEBHOOK_TIMESTAMP_STALE',
  WEBHOOK_ID_REUSED: 'WEBHOOK_ID_REUSED',
  ALREADY_REPLAYED: 'ALREADY_REPLAYED',
  DEAD_LETTER_UNREADABLE: 'DEAD_LETTER_UNREADABLE',
  READ_BACK_FAILED: 'READ_BACK_FAILED',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ErrorCatalogEntry {
  /** HTTP status a REST response carries for this code. */
  readonly status: number;
  /** Short, stable, human title (problem+json `title`). */
  readonly title: string;
  /** What a client should do about it (rendered into schema/errors.md). */
  readonly fix: string;
}

export const errorCatalog: Readonly<Record<ErrorCode, ErrorCatalogEntry>> = {
  BAD_USER_INPUT: {
    status: 400,
    title: 'Invalid input',
    fix: 'Correct the fields listed in `errors[]` (or the message) and retry.',
  },
  BAD_REQUEST: {
    status: 400,
    title: 'Bad request',
    fix: 'The HTTP request is not one the GraphQL endpoint accepts — e.g. a GET or form post without `Content-Type: application/json` or an `Apollo-Require-Preflight` header, refused as a possible cross-site request (CSRF prevention).',
  },
  GRAPHQL_PARSE_FAILED: {
    status: 400,
    title: 'GraphQL syntax error',
    fix: 'Fix the query document syntax.',
  },
  GRAPHQL_VALIDATION_FAILED: {
    status: 400,
    title: 'GraphQL validation failed',
    fix: 'Query only fields and arguments the schema has.',
  },
  OPERATION_RESOLUTION_FAILURE: {
    status: 400,
    title: 'No operation to run',
    fix: 'Send an `operationName` that names an operation of the document (required when it has several).',
  },
  PERSISTED_QUERY_NOT_FOUND: {
    status: 200,
    title: 'Persisted query not found',
    fix: 'Send the full query with its hash once.',
  },
  UNAUTHENTICATED: {
    status: 401,
    title: 'Authentication required',
    fix: 'Send valid credentials.',
  },
  FORBIDDEN: {
    status: 403,
    title: 'Forbidden',
    fix: 'Use credentials that are allowed this operation.',
  },
  NOT_FOUND: { status: 404, title: 'Not found', fix: 'Check the identifier or path.' },
  METHOD_NOT_ALLOWED: {
    status: 405,
    title: 'Method not allowed',
    fix: 'Use a method the resource supports.',
  },
  CONFLICT: {
    status: 409,
    title: 'Conflict',
    fix: 'Re-read the resource and retry, or wait for the concurrent request to finish.',
  },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    title: 'Idempotency key reused with a different request',
    fix: 'Use a new idempotency key for a different request.',
  },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    title: 'Payload too large',
    fix: 'Send a smaller request body (`HTTP_BODY_LIMIT_BYTES` on the service; 1 MiB by default).',
  },
  VARIABLES_TOO_LARGE: {
    status: 413,
    title: 'GraphQL variables too large',
    fix: 'Send smaller variables (`extensions.variablesBytes` against `maxVariablesBytes`, 64 KiB by default): page through large inputs instead.',
  },
  HEADERS_TOO_LARGE: {
    status: 431,
    title: 'Request header fields too large',
    fix: 'Send fewer or shorter headers (cookies, tokens); the limit is `HTTP_MAX_HEADER_BYTES`, 16 KiB by default.',
  },
  REQUEST_TIMEOUT: {
    status: 408,
    title: 'Request timeout',
    fix: 'Send the whole request promptly: its headers within `HTTP_HEADERS_TIMEOUT_MS` and its body within `HTTP_REQUEST_TIMEOUT_MS`; then retry.',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    title: 'Unsupported media type',
    fix: 'Send `application/json`.',
  },
  RATE_LIMITED: {
    status: 429,
    title: 'Too many requests',
    fix: 'Wait for `Retry-After` seconds, then retry.',
  },
  OPERATION_LIMIT_EXCEEDED: {
    status: 400,
    title: 'Operation exceeds a limit',
    fix: 'The operation is too large, deep or expensive to run: `extensions.limit` names the limit (tokens, depth, aliases, rootFields, directives, fields, cost), `measured` what the operation has and `maximum` what is allowed. Ask for less (smaller `first`, fewer nested lists, fewer aliases) or split it into several operations.',
  },
  TRUSTED_DOCUMENT_REQUIRED: {
    status: 403,
    title: 'Trusted document required',
    fix: 'This client may only run operations registered at build time: send the registered `documentId` (or the APQ `persistedQuery.sha256Hash`) instead of an ad-hoc query, and register new operations with `npm run trusted-documents -- add <manifest>`.',
  },
  TRUSTED_DOCUMENT_NOT_FOUND: {
    status: 400,
    title: 'Trusted document not found',
    fix: "No registered operation has this `documentId`: register the app's manifest (`npm run trusted-documents -- add <manifest>`) before shipping the app, or check the id (sha256 of the document, hex).",
  },
  INTERNAL_SERVER_ERROR: {
    status: 500,
    title: 'Internal server error',
    fix: 'Retry later; report the `instance` / request id if it persists.',
  },
  UPSTREAM_ERROR: {
    status: 502,
    title: 'Upstream error',
    fix: 'An upstream system failed; retry later.',
  },
  UPSTREAM_REJECTED: {
    status: 422,
    title: 'Upstream rejected the request',
    fix: 'The upstream refused this input (a SOAP Client/Sender fault); see `detail` and `faultDetail`, correct and retry.',
  },
  UPSTREAM_UNAVAILABLE: {
    status: 503,
    title: 'Upstream unavailable',
    fix: 'An upstream system is down or its circuit is open; retry after `Retry-After`.',
  },
  UPSTREAM_TIMEOUT: {
    status: 504,
    title: 'Upstream timed out',
    fix: 'Retry later; idempotent operations are safe to retry.',
  },
  UPSTREAM_RESPONSE_TOO_LARGE: {
    status: 502,
    title: 'Upstream answer too large',
    fix: 'An upstream system answered with more than the service reads from it; narrow the request (a smaller page) or ask the operator to raise the limit.',
  },
  NOT_READY: {
    status: 503,
    title: 'Not ready',
    fix: 'The service is starting or a dependency is down; retry shortly.',
  },
  STORE_UNAVAILABLE: {
    status: 503,
    title: 'Shared store unavailable',
    fix: 'The shared store (Redis) is unreachable. A write that must happen once was not attempted: retry it with the same Idempotency-Key after `Retry-After`. Or the rate limits could not be checked and the service refuses unchecked requests (`RATE_LIMIT_WHEN_STORE_DOWN=closed`): retry after `Retry-After`.',
  },
  SCHEMA_CHECK_FAILED: {
    status: 409,
    title: 'Schema check failed',
    fix: "The registry refused to publish: the body's `check` lists why (composition errors per subgraph with locations, a bad routing URL, breaking changes with the operations and clients that use them). Fix the schema, or keep the old field (deprecate it) until its clients have moved; `force` publishes anyway, recorded as forced (docs/runbooks/registry.md).",
  },
  WEBHOOK_SIGNATURE_INVALID: {
    status: 401,
    title: 'Webhook signature invalid',
    fix: "The request's signature matches none of the source's active secrets, or its signature headers are missing: sign the raw body, byte for byte, with the secret configured for this source (during a rotation, either secret works).",
  },
  WEBHOOK_TIMESTAMP_STALE: {
    status: 401,
    title: 'Webhook timestamp outside tolerance',
    fix: "The signed timestamp is more than the source's tolerance (300 s by default) away from our clock: sign with the current time and check the sender's clock.",
  },
  WEBHOOK_ID_REUSED: {
    status: 409,
    title: 'Webhook event id reused with another body or type',
    fix: 'An event with this id was already received with a different body or event type: a retry must resend the same bytes with the same type; a new event needs a new id.',
  },
  ALREADY_REPLAYED: {
    status: 409,
    title: 'Dead letter already replayed',
    fix: 'This request is not safe to repeat and was already sent again once: check the upstream for its effect before doing anything by hand.',
  },
  DEAD_LETTER_UNREADABLE: {
    status: 422,
    title: 'Dead letter not readable',
    fix: "The job's stored data is not JSON (written by another build or service into the deliveries queue): there is nothing a worker could send. Inspect it (its payload is the data as stored) and fix the writer; the letter stays listed, and a bulk replay passes over it.",
  },
  READ_BACK_FAILED: {
    status: 503,
    title: 'Written, but not read back',
    fix: 'The write happened (the problem names what it created, e.g. `ticketId` and `ticketUrl`); only reading the result back from the upstream failed. Do not send it as a new request: repeat it with the same Idempotency-Key after `Retry-After` — it is not written again, you get the result — or GET the URL named.',
  },
};

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorCatalog, value);
}
