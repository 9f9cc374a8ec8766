import type { Secret } from '@manifold/platform/auth';

/** A dead letter as the webhooks API lists it (fields added later are kept, and ignored here). */
export interface DeadLetterSummary {
  id: string;
  source: string;
  eventId: string;
  eventType: string;
  destination: string;
  idempotencyKey: string;
  receivedAt: string;
  failedAt?: string;
  attempts: number;
  error: string;
}

export interface DeadLetterAttempt {
  attempt: number;
  at: string;
  status?: number;
  latencyMs: number;
  error?: string;
  response?: string;
}

export interface DeadLetterDetail extends DeadLetterSummary {
  contentType: string;
  payload: string;
  history: DeadLetterAttempt[];
}

export interface DeadLetterPage {
  total: number;
  items: DeadLetterSummary[];
  nextCursor?: string;
}

export interface ReplayOutcome {
  dryRun: boolean;
  matched: number;
  replayed: number;
  first: DeadLetterSummary[];
}

/** The filter fields the dead-letter API takes (ISO 8601 times). */
export type DeadLetterFilter = Partial<
  Record<'source' | 'eventType' | 'destination' | 'from' | 'to' | 'error', string>
>;

/** The webhooks API refused or failed (its problem+json), or could not be reached (status 502). */
export class WebhooksApiError extends Error {
  override name = 'WebhooksApiError';
  readonly status: number;
  readonly code: string;
  readonly errors: readonly { pointer: string; detail: string }[];
  constructor(
    status: number,
    code: string,
    message: string,
    errors: readonly { pointer: string; detail: string }[] = [],
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.errors = errors;
  }
}

/** How the console sends a request with its own credential (scopes webhooks:read, webhooks:replay). */
export type AuthorizedFetch = (url: string, init: RequestInit) => Promise<Response>;

/** With an API key from the access file. */
export const withApiKey =
  (apiKey: Secret): AuthorizedFetch =>
  (url, init) =>
    fetch(url, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), 'x-api-key': apiKey.value() },
    });

export interface WebhooksClientOptions {
  /** The webhooks service, e.g. http://127.0.0.1:4300. */
  url: string;
  /**
   * Sends with the console's credential: `withApiKey(key)`, or client credentials' `fetch`
   * (a bearer token from the identity provider, renewed before it expires and after a 401).
   */
  send: AuthorizedFetch;
  /** @default 5000 */
  timeoutMs?: number;
}

/**
 * The webhooks dead-letter API as the console calls it, server side, with the console's own
 * credential: the browser never sees it, only the HTML the console renders from the answers.
 */
export function createWebhooksClient({ url, send, timeoutMs = 5_000 }: WebhooksClientOptions) {
  const base = url.replace(/\/+$/, '');
  async function call<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
    let response: Response;
    try {
      response = await send(`${base}/api/v1${path}`, {
        method: init.method ?? 'GET',
        headers: {
          accept: 'application/json',
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new WebhooksApiError(
        502,
        'UPSTREAM_UNAVAILABLE',
        `webhooks at ${base} did not answer (${(error as Error).name})`,
      );
    }
    const body: unknown = await response.json().catch(() => undefined);
    if (response.ok && body !== undefined) return body as T;
    const problem = (body ?? {}) as {
      code?: unknown;
      detail?: unknown;
      title?: unknown;
      errors?: unknown;
    };
    throw new WebhooksApiError(
      response.status,
      typeof problem.code === 'string' ? problem.code : `HTTP_${String(response.status)}`,
      typeof problem.detail === 'string'
        ? problem.detail
        : typeof problem.title === 'string'
          ? problem.title
          : `HTTP ${String(response.status)}`,
      Array.isArray(problem.errors)
        ? (problem.errors as { pointer: string; detail: string }[])
        : [],
    );
  }
  const query = (params: Record<string, string | number | undefined>) => {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(params))
      if (value !== undefined && value !== '') search.set(name, String(value));
    return search.size === 0 ? '' : `?${search.toString()}`;
  };
  const one = (id: string) => `/dead-letters/${encodeURIComponent(id)}`;
  return {
    list: (filter: DeadLetterFilter, page: { limit: number; cursor?: string | undefined }) =>
      call<DeadLetterPage>(`/dead-letters${query({ ...filter, ...page })}`),
    get: (id: string) => call<DeadLetterDetail>(one(id)),
    replay: (id: string) => call<DeadLetterSummary>(`${one(id)}/replay`, { method: 'POST' }),
    replayMatching: (filter: DeadLetterFilter, dryRun: boolean) =>
      call<ReplayOutcome>('/dead-letters/replay', { method: 'POST', body: { filter, dryRun } }),
  };
}
export type WebhooksClient = ReturnType<typeof createWebhooksClient>;
