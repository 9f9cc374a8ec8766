import type { IncomingMessage } from 'node:http';
import { setCaller, type Caller } from '../contracts/index.ts';
import { AppError } from '../errors/index.ts';
import type { EdgeMiddleware } from '../http/index.ts';
import type { Authenticate } from './authenticate.ts';
import { bearerChallenge } from './challenges.ts';

/** What a route needs: `public` (no credentials looked at), or an authenticated caller holding every listed scope. */
export type RequiredScopes = 'public' | readonly string[];

/** The scopes a request needs, from its method and path (also applied to OpenAPI path templates). */
export type ScopesFor = (method: string, path: string) => RequiredScopes;

export interface ResourceScopesOptions {
  /** Paths under it are protected; everything else (health, /openapi.json, /docs) is public. @default '/api' */
  prefix?: string;
  /** Whether a request only reads. @default GET, HEAD and OPTIONS read */
  isRead?: (method: string, path: string) => boolean;
}

/**
 * Scopes named after the resource: `/api/v2/customers/7` (or `/api/customers/7` with an
 * API-Version header) needs `customers:read` to read and `customers:write` to change. A new
 * resource is protected the day it is added, by the same rule.
 */
export function resourceScopes({
  prefix = '/api',
  isRead = (method) => method === 'GET' || method === 'HEAD' || method === 'OPTIONS',
}: ResourceScopesOptions = {}): ScopesFor {
  const pattern = new RegExp(
    `^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:/v\\d+)?(?:/([^/?]+))?`,
  );
  const under = `${prefix}/`;
  // This runs on every request: each resource's two answers are made once, not per request.
  // Bounded, as resources come from the path a client sends (any further one is made per request).
  const scopesOf = new Map<string, { read: readonly string[]; write: readonly string[] }>();
  return (method, path) => {
    if (path !== prefix && !path.startsWith(under)) return 'public';
    const resource = pattern.exec(path)?.[1];
    if (resource === undefined) return [];
    let scopes = scopesOf.get(resource);
    if (scopes === undefined) {
      scopes = { read: [`${resource}:read`], write: [`${resource}:write`] };
      if (scopesOf.size < MAX_REMEMBERED_RESOURCES) scopesOf.set(resource, scopes);
    }
    return isRead(method.toUpperCase(), path) ? scopes.read : scopes.write;
  };
}

const MAX_REMEMBERED_RESOURCES = 1_000;

// The path without its query, sliced only when there is one (no array per request).
const pathOf = ({ url = '/' }: IncomingMessage) => {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
};

/** Lets `caller` through when it holds `required`, else 401 (no credentials) or 403 (missing scopes). */
export function admit(caller: Caller, required: readonly string[]): void {
  if (caller.method === 'anonymous')
    throw new AppError(
      'UNAUTHENTICATED',
      'This resource needs credentials (a bearer token or an API key)',
      {
        headers: { 'www-authenticate': bearerChallenge({ scope: required }) },
      },
    );
  // A plain loop first: an admitted request (nearly all of them) allocates nothing here.
  let holdsAll = true;
  for (const scope of required) if (!caller.scopes.has(scope)) holdsAll = false;
  if (holdsAll) return;
  const missing = required.filter((scope) => !caller.scopes.has(scope));
  if (missing.length > 0)
    throw new AppError('FORBIDDEN', `The credentials lack the scope ${missing.join(', ')}`, {
      details: { requiredScopes: required },
      headers: {
        'www-authenticate': bearerChallenge({ error: 'insufficient_scope', scope: required }),
      },
    });
}

/**
 * A REST facade's front door (an edge check: ahead of routing and of any cached answer):
 * authenticates the request, refuses it without the route's scopes, and records the caller
 * (`setCaller`) for what runs after — rate limits, usage, logs.
 */
export function authenticationEdge({
  authenticate,
  scopesFor,
}: {
  authenticate: Authenticate;
  scopesFor: ScopesFor;
}): EdgeMiddleware {
  const check = (req: IncomingMessage, caller: Caller, required: readonly string[]) => {
    admit(caller, required);
    setCaller(req, caller);
  };
  return (req) => {
    const required = scopesFor(req.method ?? 'GET', pathOf(req));
    if (required === 'public') return undefined;
    const caller = authenticate(req);
    if (caller instanceof Promise)
      return caller.then((found) => {
        check(req, found, required);
      });
    check(req, caller, required);
    return undefined;
  };
}
