import type { Secret } from '@manifold/platform/auth';
import {
  DeadLetter,
  DeadLetterDetail,
  DeadLetterList,
  DestinationList,
  DestinationState,
  EndpointList,
  EndpointState,
  Problem,
  ReplayOutcome,
  type DeadLetterFilter,
} from '@manifold/platform/contracts';
import type { z } from 'zod';

// The API's shapes are its contract (platform/src/contracts/webhooks-api.ts), shared with the
// service: each answer is parsed by it (fields added later are dropped, and ignored here).

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
 * The webhooks dead-letter, destination and endpoint APIs as the console calls them, server side, with the console's own
 * credential: the browser never sees it, only the HTML the console renders from the answers.
 */
export function createWebhooksClient({ url, send, timeoutMs = 5_000 }: WebhooksClientOptions) {
  const base = url.replace(/\/+$/, '');
  /**
   * The answer, parsed by its contract: one that does not match is refused (502), not rendered
   * half-empty. A POST's answer comes after its effect: the refusal says it was sent, so that
   * nobody replays again on the strength of it.
   */
  async function call<T extends z.ZodType>(
    path: string,
    shape: T,
    init: { method?: 'POST'; body?: unknown } = {},
  ): Promise<z.infer<T>> {
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
    if (response.ok && body !== undefined) {
      const parsed = shape.safeParse(body);
      if (parsed.success) return parsed.data;
      const [first] = parsed.error.issues;
      throw new WebhooksApiError(
        502,
        'UPSTREAM_ERROR',
        `${init.method === 'POST' ? 'Sent, but webhooks' : 'Webhooks'} at ${base} answered ${path.split('?', 1)[0] ?? path} in a shape the console does not know (${parsed.error.issues.length} mismatches, the first at ${first?.path.join('.') || 'the top'}: ${first?.message ?? '?'})${init.method === 'POST' ? ': check the dead letters before sending again' : ''}`,
      );
    }
    // A problem as the API writes it; anything else (a proxy's page, a problem in another shape)
    // stands as its HTTP status.
    const problem = Problem.partial().safeParse(body).data ?? {};
    throw new WebhooksApiError(
      response.status,
      problem.code ?? `HTTP_${String(response.status)}`,
      problem.detail ?? problem.title ?? `HTTP ${String(response.status)}`,
      problem.errors ?? [],
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
      call(`/dead-letters${query({ ...filter, ...page })}`, DeadLetterList),
    get: (id: string) => call(one(id), DeadLetterDetail),
    replay: (id: string) => call(`${one(id)}/replay`, DeadLetter, { method: 'POST' }),
    replayMatching: (filter: DeadLetterFilter, dryRun: boolean) =>
      call('/dead-letters/replay', ReplayOutcome, { method: 'POST', body: { filter, dryRun } }),
    destinations: async () => (await call('/destinations', DestinationList)).items,
    resume: (name: string) =>
      call(`/destinations/${encodeURIComponent(name)}/resume`, DestinationState, {
        method: 'POST',
      }),
    endpoints: async () => (await call('/endpoints', EndpointList)).items,
    enable: (name: string) =>
      call(`/endpoints/${encodeURIComponent(name)}/enable`, EndpointState, { method: 'POST' }),
  };
}
export type WebhooksClient = ReturnType<typeof createWebhooksClient>;
