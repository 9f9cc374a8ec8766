import { AppError, type FieldError, isAppError } from './AppError.ts';
import { type ErrorCode, isErrorCode } from './codes.ts';
import { isTimeoutCode, networkErrorCode } from './network.ts';
import { UpstreamError } from './UpstreamError.ts';

export interface NormalizeOptions {
  /**
   * The upstream the failure came from, when it came from one: timeouts and network failures
   * then become UPSTREAM_TIMEOUT / UPSTREAM_UNAVAILABLE naming it. Without it they are bugs.
   */
  upstream?: string;
  /** Retry-After for an UPSTREAM_UNAVAILABLE (an open circuit knows when it will probe). @default 1 */
  retryAfterSeconds?: number;
}

const HTTP_STATUS_CODES: Readonly<Record<number, ErrorCode>> = {
  400: 'BAD_USER_INPUT',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

const nameOf = (error: unknown): unknown => (error as { name?: unknown } | null)?.name;
const flagged = (error: unknown, brand: string): boolean =>
  (error as Record<string, unknown> | null)?.[brand] === true;

/**
 * The one mapping from anything thrown to the error catalogue. Every protocol edge calls it —
 * REST answers it as problem+json, GraphQL as `extensions.code`, upstream clients to say what an
 * upstream's failure means to our own callers — so a failure reads the same everywhere.
 * Returns undefined for an unexpected error: a bug, which the edges answer INTERNAL_SERVER_ERROR and mask.
 */
export function normalizeError(
  error: unknown,
  { upstream, retryAfterSeconds = 1 }: NormalizeOptions = {},
): AppError | undefined {
  if (isAppError(error)) return error;
  if (upstream !== undefined) {
    // cockatiel's errors, matched by their brand properties: a second copy of the library may be loaded.
    if (flagged(error, 'isBrokenCircuitError'))
      return new UpstreamError(
        'UPSTREAM_UNAVAILABLE',
        upstream,
        `${upstream} is unavailable (circuit open)`,
        { transient: true, cause: error, details: { retryAfterSeconds } },
      );
    const network = networkErrorCode(error);
    const timedOut =
      flagged(error, 'isTaskCancelledError') ||
      nameOf(error) === 'TimeoutError' ||
      nameOf(error) === 'AbortError' ||
      (network !== undefined && isTimeoutCode(network));
    if (timedOut)
      return new UpstreamError(
        'UPSTREAM_TIMEOUT',
        upstream,
        `${upstream} timed out${network ? ` (${network})` : ''}`,
        { transient: true, cause: error },
      );
    if (network !== undefined)
      return new UpstreamError(
        'UPSTREAM_UNAVAILABLE',
        upstream,
        `${upstream} is unreachable (${network})`,
        { transient: true, cause: error, details: { retryAfterSeconds } },
      );
  }
  return fromHttpFramework(error) ?? fromCodedGraphQLError(error);
}

/** body-parser, Express and http-errors carry a `status`: a malformed or oversized request is the client's. */
function fromHttpFramework(error: unknown): AppError | undefined {
  const e = error as { status?: unknown; type?: unknown; message?: unknown } | null;
  if (e === null || typeof e !== 'object' || typeof e.status !== 'number') return undefined;
  const code = HTTP_STATUS_CODES[e.status];
  if (code === undefined) return undefined;
  const message =
    e.type === 'entity.parse.failed'
      ? 'Malformed JSON body'
      : typeof e.message === 'string'
        ? e.message
        : 'Bad request';
  return new AppError(code, message, { cause: error });
}

/** A GraphQL error that already carries one of our codes (a subgraph's, a plugin's). */
function fromCodedGraphQLError(error: unknown): AppError | undefined {
  const e = error as { extensions?: { code?: unknown }; message?: unknown } | null;
  const code = e?.extensions?.code;
  if (!isErrorCode(code) || code === 'INTERNAL_SERVER_ERROR' || typeof e?.message !== 'string')
    return undefined;
  return new AppError(code, e.message, { cause: error });
}

export interface UpstreamAnswer {
  /** The HTTP status the upstream answered (not a success). */
  status: number;
  /** Its parsed body, when it was JSON. */
  body?: unknown;
  /** Its Retry-After, in milliseconds. */
  retryAfterMs?: number;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/**
 * What an upstream's failed HTTP answer means to our callers. An upstream that speaks our
 * catalogue (another Manifold service's problem+json, a subgraph's coded GraphQL error) keeps its
 * code and message; anything else is judged by its status (502/503/504/429 transient).
 */
export function upstreamAnswerError(
  upstream: string,
  { status, body, retryAfterMs }: UpstreamAnswer,
): UpstreamError {
  const own = ownCodedError(body);
  if (own === undefined)
    return UpstreamError.fromStatus(
      upstream,
      status,
      retryAfterMs === undefined ? {} : { retryAfterMs },
    );
  const transient = status === 502 || status === 503 || status === 504 || status === 429;
  return new UpstreamError(own.code, upstream, own.message, {
    transient,
    status,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    details: own.details,
    errors: own.errors,
  });
}

// Members of a problem+json body that describe the answer itself, not the error's data.
const PROBLEM_MEMBERS = new Set([
  'type',
  'title',
  'status',
  'code',
  'detail',
  'instance',
  'errors',
]);

interface OwnCodedError {
  code: ErrorCode;
  message: string;
  details: Record<string, unknown>;
  errors: FieldError[];
}

/**
 * The catalogue code an answer's body carries — problem+json `code`, or the first GraphQL error's —
 * with its client-safe data (extension members, field errors), so it travels on unchanged.
 */
function ownCodedError(body: unknown): OwnCodedError | undefined {
  if (!isRecord(body)) return undefined;
  if (isErrorCode(body['code'])) {
    const message = [body['detail'], body['title']].find((text) => typeof text === 'string');
    return {
      code: body['code'],
      message: typeof message === 'string' ? message : body['code'],
      details: Object.fromEntries(
        Object.entries(body).filter(([member]) => !PROBLEM_MEMBERS.has(member)),
      ),
      errors: fieldErrorsOf(body['errors']),
    };
  }
  const first: unknown = Array.isArray(body['errors']) ? body['errors'][0] : undefined;
  if (!isRecord(first) || typeof first['message'] !== 'string') return undefined;
  const extensions = isRecord(first['extensions']) ? first['extensions'] : {};
  const { code, http: _http, errors, ...details } = extensions;
  if (!isErrorCode(code)) return undefined;
  return { code, message: first['message'], details, errors: fieldErrorsOf(errors) };
}

function fieldErrorsOf(value: unknown): FieldError[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (entry): entry is FieldError =>
      isRecord(entry) &&
      typeof entry['pointer'] === 'string' &&
      typeof entry['detail'] === 'string',
  );
}
