import { EventEmitter } from 'node:events';
import type { IncomingMessage, RequestListener, Server } from 'node:http';
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
} from '@opentelemetry/api';

/**
 * What this process's service answers in server spans of its own (ownServerSpans), by route: the
 * latest registration wins. Process-wide, as the http instrumentation is: a process serves one
 * service.
 */
const owned = new Map<string, (req: IncomingMessage) => boolean>();

/**
 * Whether a service starts this request's server span itself: the http instrumentation then
 * leaves the request alone (instrumentations.ts, and passOwnedRequestsThrough), so that it is not
 * traced twice.
 */
export function isServerSpanOwned(req: IncomingMessage): boolean {
  if (owned.size === 0) return false;
  for (const owns of owned.values()) if (owns(req)) return true;
  return false;
}

/**
 * Wraps `listener`: every request `owns` picks is answered inside a server span started here,
 * named and routed as `route` (the request's route template), in place of the http
 * instrumentation's. For a path where the instrumentation's span is a large share of a request's
 * cost: its attributes are computed and copied for every request, recorded or not, and its SDK
 * span made and ended — about 12 µs of the webhooks service's 93 µs of CPU per inbound event
 * (bench:webhooks). This span costs what a span nobody records needs: the caller's `traceparent`
 * followed and ids made; when it is recorded, the attributes (method, path and query, route,
 * peer, client, user agent, status) and an error status for a 5xx or an exception thrown by the listener.
 *
 * What runs in the listener and the promises it starts is in this span. A request's or response's
 * event listener runs in the context its event is emitted in, which need not be this span, unless
 * it binds itself to the context it was added in (as the access log does) — on a server that hands
 * these requests past the http instrumentation (passOwnedRequestsThrough, as runService does);
 * on another, the instrumentation binds such listeners to a context with tracing suppressed.
 *
 * `owns` runs on every request the service receives, before anything else: it must be cheap and
 * decide from the request line and headers alone.
 */
export function ownServerSpans(
  owns: (req: IncomingMessage) => boolean,
  route: string,
  listener: RequestListener,
): RequestListener {
  owned.set(route, owns);
  const tracer = trace.getTracer('manifold');
  return (req, res) => {
    if (!owns(req)) {
      listener(req, res);
      return;
    }
    const method = req.method ?? 'GET';
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer.startSpan(`${method} ${route}`, { kind: SpanKind.SERVER }, parent);
    if (span.isRecording()) {
      span.setAttributes(requestAttributes(req, method, route));
      res.once('close', () => {
        if (res.headersSent) span.setAttribute('http.response.status_code', res.statusCode);
        if (!res.writableFinished) span.setAttribute('error.type', 'aborted');
        else if (res.statusCode >= 500) {
          span.setAttribute('error.type', String(res.statusCode));
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        span.end();
      });
    }
    context.with(trace.setSpan(parent, span), () => {
      try {
        listener(req, res);
      } catch (error) {
        // Thrown out of the listener: an uncaught exception, which ends a service's process (no
        // service handles them) before the span could be exported; it is recorded for a process
        // that does handle them and goes on (the span then ends when the response closes).
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw error;
      }
    });
  };
}

/**
 * Hands `server`'s requests that a service spans itself (ownServerSpans) straight to its listener,
 * past what wraps the server's `emit`: the http instrumentation wraps it on every server. For a
 * request it is told to leave alone (instrumentations.ts) the instrumentation still runs the
 * listener in a context of its own, with tracing suppressed, and binds the request's and the
 * response's event emitters to that context: each of their methods that add or remove a listener
 * wrapped, and every listener added later wrapped again. Nothing relies on it: the listener's own
 * span replaces that context, and no listener of these requests or responses starts a span (they
 * now run in the context their event is emitted in). It cost the webhooks service 11–21 % of its
 * CPU per inbound event (paired runs, docs/benchmarks.md). Every other request, and every other
 * event, goes through the server's `emit` as before.
 */
export function passOwnedRequestsThrough(server: Server): void {
  const wrapped = server.emit.bind(server) as (
    event: string | symbol,
    ...args: unknown[]
  ) => boolean;
  const plain = EventEmitter.prototype.emit.bind(server);
  server.emit = ((event: string | symbol, ...args: unknown[]) =>
    event === 'request' && isServerSpanOwned(args[0] as IncomingMessage)
      ? plain(event, ...args)
      : wrapped(event, ...args)) as Server['emit'];
}

/**
 * Query parameters whose values a span never carries: the http instrumentation's own default list
 * (which it does not export), so that a request's span reads the same whoever started it.
 */
const REDACTED_QUERY_PARAMS = [
  'sig',
  'Signature',
  'AWSAccessKeyId',
  'X-Goog-Signature',
  'X-Amz-Signature',
  'X-Amz-Credential',
  'X-Amz-Security-Token',
];

function redactedQuery(query: string): string {
  const params = new URLSearchParams(query);
  for (const name of REDACTED_QUERY_PARAMS) if (params.has(name)) params.set(name, 'REDACTED');
  return params.toString();
}

/** The HTTP semantic conventions' server span attributes known when a request arrives. */
function requestAttributes(req: IncomingMessage, method: string, route: string): Attributes {
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  const scheme = 'encrypted' in req.socket ? 'https' : 'http';
  // `host[:port]`, an IPv6 host in brackets (kept, as the instrumentation keeps them).
  const host = req.headers.host ?? '';
  const colon = host.lastIndexOf(':');
  const hasPort = colon > host.lastIndexOf(']');
  const userAgent = req.headers['user-agent'];
  // The client as the instrumentation names it: the first hop a proxy reports, else the peer.
  const forwarded = req.headers['x-forwarded-for'];
  const forwardedFor = (Array.isArray(forwarded) ? forwarded[0] : forwarded)
    ?.split(',', 1)[0]
    ?.trim();
  const client = forwardedFor || req.socket.remoteAddress;
  return {
    'http.request.method': method,
    'http.route': route,
    'url.path': query === -1 ? url : url.slice(0, query),
    ...(query !== -1 &&
      query < url.length - 1 && { 'url.query': redactedQuery(url.slice(query + 1)) }),
    'url.scheme': scheme,
    'network.protocol.version': req.httpVersion,
    ...(host !== '' && {
      'server.address': hasPort ? host.slice(0, colon) : host,
      'server.port': hasPort ? Number(host.slice(colon + 1)) : scheme === 'https' ? 443 : 80,
    }),
    ...(req.socket.remoteAddress !== undefined && {
      'network.peer.address': req.socket.remoteAddress,
    }),
    ...(client !== undefined && { 'client.address': client }),
    ...(req.socket.remotePort !== undefined && { 'network.peer.port': req.socket.remotePort }),
    ...(userAgent !== undefined && { 'user_agent.original': userAgent }),
  };
}
