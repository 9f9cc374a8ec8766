import { IncomingMessage } from 'node:http';
import { context, createContextKey } from '@opentelemetry/api';

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

// Where @opentelemetry/core keeps the request's RPC metadata (createContextKey is Symbol.for):
// the Express instrumentation sets its `route` when a route matches, and the http instrumentation
// names the server span and sets `http.route` from it when the answer ends.
const RPC_METADATA = createContextKey('OpenTelemetry SDK Context Key RPC_METADATA');

/**
 * For a request answered before Express routes it (a cached answer served ahead of the app): the
 * template its route has in the app, so its duration, and its server span, carry the `http.route`
 * that Express would have given them.
 */
export function setRouteTemplate(req: IncomingMessage, template: string): void {
  (req as Tracked)[TEMPLATE] = template;
  const rpc = context.active().getValue(RPC_METADATA) as
    { type?: unknown; route?: string } | undefined;
  if (rpc?.type === 'http') rpc.route = template;
}
