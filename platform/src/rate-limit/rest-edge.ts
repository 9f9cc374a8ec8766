import type { IncomingMessage } from 'node:http';
import { callerOf } from '../contracts/index.ts';
import type { EdgeMiddleware } from '../http/index.ts';
import type { RateLimits } from './rate-limits.ts';

export interface RateLimitEdgeOptions {
  /** Only paths under it are limited; health, /metrics, /openapi.json and /docs never are. @default '/api' */
  prefix?: string;
}

const pathOf = (req: IncomingMessage) => (req.url ?? '/').split('?', 1)[0] ?? '/';

/**
 * A REST facade's rate limits, as an edge check after authentication (which recorded the
 * caller) and before routing and any cached answer: a cache hit is a request too. The caller's
 * tier's limits and those of the most specific route override apply together; the answer
 * carries `RateLimit`/`RateLimit-Policy`, a refusal is 429 problem+json RATE_LIMITED with
 * `Retry-After`.
 */
export function rateLimitEdge(
  limits: RateLimits,
  { prefix = '/api' }: RateLimitEdgeOptions = {},
): EdgeMiddleware {
  return (req, res) => {
    const path = pathOf(req);
    if (path !== prefix && !path.startsWith(`${prefix}/`)) return undefined;
    const caller = callerOf(req);
    const tier = limits.tierOf(caller);
    if (tier === undefined) return undefined;
    const route = tier.route(req.method ?? 'GET', path);
    const policies = route.length > 0 ? [...tier.base, ...route] : tier.base;
    if (policies.length === 0) return undefined;
    return limits.enforce(limits.keyOf(caller, req), policies).then((headers) => {
      for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    });
  };
}
