import type { IncomingMessage } from 'node:http';

const TEMPLATE = Symbol('manifold.routeTemplate');
type Tracked = IncomingMessage & { [TEMPLATE]?: string; baseUrl?: string };

/**
 * Remembers the route template (`/api/v2/customers/:id`) Express matches for `req`: Express sets
 * `req.route` at the moment a route matches, while `req.baseUrl` still holds where that route's
 * router is mounted. By the time the answer goes out an error may have unwound the routers (and
 * reset `baseUrl`), so the template is taken then, not at the end. Call before Express sees `req`.
 */
export function captureRouteTemplate(req: IncomingMessage): void {
  const tracked = req as Tracked;
  let route: unknown;
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => route,
    set(value: unknown) {
      route = value;
      const path = (value as { path?: unknown } | undefined)?.path;
      // A route given as a RegExp or an array has no template we could show: leave it out.
      if (typeof path !== 'string') return;
      const base = tracked.baseUrl ?? '';
      tracked[TEMPLATE] = path === '/' && base !== '' ? base : `${base}${path}`;
    },
  });
}

/** The template captured for `req`, if a route matched. */
export const routeTemplateOf = (req: IncomingMessage): string | undefined =>
  (req as Tracked)[TEMPLATE];
