import type { IncomingMessage, RequestListener } from 'node:http';
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
} from '@opentelemetry/api';

/** What a service answers in server spans of its own (ownServerSpans), by route: the latest wins. */
const owned = new Map<string, (req: IncomingMessage) => boolean>();

/**
 * Whether a service starts this request's server span itself: the http instrumentation then
 * leaves the request alone (instrumentations.ts), so that it is not traced twice.
 */
export function isServerSpanOwned(req: IncomingMessage): boolean {
  for (const owns of owned.values()) if (owns(req)) return true;
  return false;
}

/**
 * Wraps `listener`: every request `owns` picks is answered inside a server span started here,
 * named and routed as `route` (the request's route template), in place of the http
 * instrumentation's. For a path where the instrumentation's own work is a large share of a
 * request's cost — its attributes, computed and copied for every request whether or not the span
 * is recorded, and its binding of the request's and response's listeners to the context: about
 * 12 µs of the webhooks service's 93 µs of CPU per inbound event (bench:webhooks). This span
 * does what a span nobody records needs — the caller's `traceparent` followed, ids for the logs
 * and for any span started within — and, when it is recorded, the same attributes (method, path,
 * route, peer, user agent, status) and error status.
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
    if (span.isRecording()) span.setAttributes(requestAttributes(req, method, route));
    res.once('close', () => {
      if (span.isRecording()) {
        span.setAttribute('http.response.status_code', res.statusCode);
        if (!res.writableFinished) span.setAttribute('error.type', 'aborted');
        else if (res.statusCode >= 500) {
          span.setAttribute('error.type', String(res.statusCode));
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
      }
      span.end();
    });
    context.with(trace.setSpan(parent, span), () => {
      listener(req, res);
    });
  };
}

/** The HTTP semantic conventions' server span attributes known when a request arrives. */
function requestAttributes(req: IncomingMessage, method: string, route: string): Attributes {
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  const host = req.headers.host ?? '';
  const colon = host.lastIndexOf(':');
  const userAgent = req.headers['user-agent'];
  return {
    'http.request.method': method,
    'http.route': route,
    'url.path': query === -1 ? url : url.slice(0, query),
    'url.scheme': 'encrypted' in req.socket ? 'https' : 'http',
    'network.protocol.version': req.httpVersion,
    ...(host !== '' && {
      'server.address': colon > host.lastIndexOf(']') ? host.slice(0, colon) : host,
      ...(colon > host.lastIndexOf(']') && { 'server.port': Number(host.slice(colon + 1)) }),
    }),
    ...(req.socket.remoteAddress !== undefined && {
      'network.peer.address': req.socket.remoteAddress,
      'client.address': req.socket.remoteAddress,
    }),
    ...(req.socket.remotePort !== undefined && { 'network.peer.port': req.socket.remotePort }),
    ...(userAgent !== undefined && { 'user_agent.original': userAgent }),
  };
}
