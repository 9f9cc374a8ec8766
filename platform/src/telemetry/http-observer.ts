import type { IncomingMessage, ServerResponse } from 'node:http';
import { trace } from '@opentelemetry/api';
import { Header } from '../contracts/headers.ts';
import { durationHistogram, errorTypeLabel, isServerSideCode } from './instruments.ts';
import { isFailureRecorded } from './recent-failures.ts';
import { captureRouteTemplates, routeTemplateOf } from './route-template.ts';
import { telemetryRuntime } from './runtime.ts';

// OTel semantic conventions: known methods keep their name, anything else is `_OTHER`.
const METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
]);

export interface HttpObserverOptions {
  /** The route of every request observed (`/graphql`); unset: the Express route that matched. */
  route?: string;
}

/** Observes one request: call it as the request arrives, before anything can answer it. */
export type HttpObserver = (req: IncomingMessage, res: ServerResponse) => void;

/** The catalogue code of an error answer: set by the problem middleware, or by an edge refusal. */
const errorCodeOf = (res: ServerResponse): string | undefined =>
  (res as ServerResponse & { locals?: { errorCode?: string } }).locals?.errorCode;

/**
 * Request rate, errors and duration of every request the service answers, as the OTel HTTP
 * semantic conventions name them (`http.server.request.duration`, seconds, by method, route
 * template, status), with `error.type` set to the catalogue code of an error answer (4xx: the
 * client's, 5xx: ours). Also puts that code and the cache result (`X-Cache`) on the request's
 * server span, and keeps failed requests (5xx) for the ops console with their trace id.
 */
export function createHttpObserver({ route }: HttpObserverOptions = {}): HttpObserver {
  const duration = durationHistogram(
    'http.server.request.duration',
    'Duration of HTTP server requests, from arrival to the last byte of the answer.',
  );
  const failures = telemetryRuntime()?.failures;
  if (route === undefined) captureRouteTemplates();
  return (req, res) => {
    const started = performance.now();
    // The request's server span (the http instrumentation's, or the service's own:
    // own-server-spans.ts): still open on 'finish', closed on 'close'.
    const span = trace.getActiveSpan();
    const method = req.method !== undefined && METHODS.has(req.method) ? req.method : '_OTHER';
    const done = (aborted: boolean) => {
      const template = route ?? routeTemplateOf(req);
      const status = res.statusCode;
      const code = errorCodeOf(res);
      const errorType = aborted ? 'aborted' : status >= 400 ? errorTypeLabel(code) : undefined;
      duration.record((performance.now() - started) / 1000, {
        'http.request.method': method,
        'http.response.status_code': status,
        ...(template === undefined ? {} : { 'http.route': template }),
        ...(errorType === undefined ? {} : { 'error.type': errorType }),
      });
      if (aborted) return;
      const cache = res.getHeader('x-cache');
      if (typeof cache === 'string') span?.setAttribute('manifold.cache.result', cache);
      if (code !== undefined) span?.setAttribute('manifold.error.code', code);
      if (failures && status >= 500 && isServerSideCode(code) && !isFailureRecorded(req)) {
        const requestId = res.getHeader(Header.requestId);
        failures.record({
          at: new Date().toISOString(),
          // Without a template (no route matched) the raw path could carry ids: it stays out.
          name: `${method} ${template ?? '(no route)'}`,
          status,
          code: code ?? 'INTERNAL_SERVER_ERROR',
          ...(span ? { traceId: span.spanContext().traceId } : {}),
          ...(typeof requestId === 'string' ? { requestId } : {}),
        });
      }
    };
    res.once('finish', () => {
      done(false);
    });
    res.once('close', () => {
      if (!res.writableFinished) done(true);
    });
  };
}
