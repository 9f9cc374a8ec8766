import { IncomingMessage } from 'node:http';
import { context } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';

const TEMPLATE = Symbol('manifold.routeTemplate');
const ROUTE = Symbol('manifold.route');
type Tracked = IncomingMessage & { [TEMPLATE]?: string; [ROUTE]?: unknown; baseUrl?: string };

let installed = false;

/**
 * From now on, remembers for every request the route template (`/api/v2/customers/:id`) Express
 * matches (idempotent). Express sets
 * `req.route` at the moment a route matches, while `req.baseUrl` still holds where that route's
 * router is mounted. By the time the answer goes out an error may have unwound the routers (and
 * reset `baseUrl`), so the template is taken then, not at the end. One accessor on the request
 * prototype, installed once: an accessor defined on each request changed every request's shape
 * and slowed each property access Express made afterwards (a cached soap-proxy answer cost about
 * 40 % more CPU).
 */
export function captureRouteTemplates(): void {
  if (installed) return;
  installed = true;
  Object.defineProperty(IncomingMessage.prototype, 'route', {
    configurable: true,
    enumerable: false,
    get(this: Tracked) {
      return this[ROUTE];
    },
    set(this: Tracked, value: unknown) {
      this[ROUTE] = value;
      const path = (value as { path?: unknown } | undefined)?.path;
      // A route given as a RegExp or an array has no template we could show: leave it out.
      if (typeof path !== 'string') return;
      const base = this.baseUrl ?? '';
      this[TEMPLATE] = path === '/' && base !== '' ? base : `${base}${path}`;
    },
  });
}

/** The template captured for `req`, if a route matched. */
export const routeTemplateOf = (req: IncomingMessage): string | undefined =>
  (req as Tracked)[TEMPLATE];

/**
 * For a request answered before Express routes it (a cached answer served ahead of the app): the
 * template its route has in the app, so its duration, and its server span, carry the `http.route`
 * that Express would have given them.
 */
export function setRouteTemplate(req: IncomingMessage, template: string): void {
  (req as Tracked)[TEMPLATE] = template;
  // The http instrumentation's RPC metadata for this request: the Express instrumentation sets
  // its route when a route matches; the http instrumentation names the server span and sets
  // `http.route` from it when the answer ends.
  const rpc = getRPCMetadata(context.active());
  if (rpc?.type === RPCType.HTTP) rpc.route = template;
}
