import type { GraphQLRequestContext } from '@apollo/server';
import type { Request } from 'express';
import type { GatewayContext } from '../context.ts';

/**
 * One answer, several rate-limit policies: the tier's request limits (counted in HTTP middleware,
 * before the body is read), an operation's root-field limits and the cost budget (counted once
 * the operation is known). draft-ietf-httpapi-ratelimit-headers makes each policy a member of
 * one `RateLimit` / `RateLimit-Policy` list; Apollo replaces the headers middleware set, so every
 * later policy is appended to what the answer already carries here.
 */

/** On the request, then on the context (a symbol member: Apollo shallow-copies the context). */
const REQUEST_HEADERS = Symbol('manifold.rate-limit.request-headers');
const byRequest = new WeakMap<Request, Readonly<Record<string, string>>>();

/** The headers of the request's tier limits, for the operation's policies to be added to. */
export function keepRequestRateLimitHeaders(
  req: Request,
  headers: Readonly<Record<string, string>>,
): void {
  byRequest.set(req, headers);
}

/** Called when the request's context is built: carries the kept headers over to it. */
export function carryRequestRateLimitHeaders(context: GatewayContext, req: Request): void {
  const headers = byRequest.get(req);
  if (headers) Object.assign(context, { [REQUEST_HEADERS]: headers });
}

/**
 * `headers` with each rate-limit field appended, as list members, to the value the answer
 * already has (set by another policy of this operation, or the tier's): the pairs to set.
 * Other headers (Retry-After) are returned unchanged.
 */
export function mergedRateLimitHeaders(
  requestContext: Pick<GraphQLRequestContext<GatewayContext>, 'contextValue' | 'response'>,
  headers: Readonly<Record<string, string>>,
): [string, string][] {
  const before =
    (requestContext.contextValue as { [REQUEST_HEADERS]?: Record<string, string> })[
      REQUEST_HEADERS
    ] ?? {};
  return Object.entries(headers).map(([name, value]) => {
    if (name !== 'ratelimit' && name !== 'ratelimit-policy') return [name, value];
    const current = requestContext.response.http.headers.get(name) ?? before[name];
    return [name, current ? `${current}, ${value}` : value];
  });
}

/** Adds an allowed operation's policies to its answer's `RateLimit` / `RateLimit-Policy`. */
export function addRateLimitHeaders(
  requestContext: Pick<GraphQLRequestContext<GatewayContext>, 'contextValue' | 'response'>,
  headers: Readonly<Record<string, string>>,
): void {
  for (const [name, value] of mergedRateLimitHeaders(requestContext, headers))
    requestContext.response.http.headers.set(name, value);
}
