import type { IncomingMessage } from 'node:http';
import { context, trace } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { GraphQLInstrumentation } from '@opentelemetry/instrumentation-graphql';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { isOperationalPath } from './operational-paths.ts';
import { isServerSpanOwned } from './own-server-spans.ts';

/**
 * The maintained instrumentations every service runs, configured for signal over noise:
 * - http: server spans for requests; health checks and scrapes make no traces, and a request a
 *   service spans itself (ownServerSpans: inbound webhooks) is left to it; outgoing calls only
 *   inside a request (a start-up WSDL fetch is not a trace);
 * - undici: fetch and undici clients (subgraph fetches, soap-proxy, the legacy monolith), W3C
 *   `traceparent` injected, again only inside a request; a call outside any request (background
 *   work: a webhooks delivery, an outbox relay) is left alone — no span, no `traceparent`, no
 *   `http.client.request.duration` sample. It had no trace to join, and paid ~12 µs per call
 *   for the instrumentation's URL parsing, attributes and propagation (profiled under
 *   bench:webhooks, ~9 % of a delivery); such work measures its calls itself
 *   (`manifold_webhooks_delivery_duration`, in seconds);
 * - express: route templates (`http.route`) and one span per route handler, not per middleware;
 * - graphql: parse, validate and execute spans with the operation name and type, no span per
 *   resolver (a Storefront query resolves thousands of fields);
 * - pino: `trace_id` and `span_id` on every log line (logs stay on stdout, none sent over OTLP);
 * - runtime-node: event-loop delay and utilisation, heap and GC.
 *
 * When no trace is exported (metrics only, the default), express and graphql are left out: spans
 * are all they make, and none would be recorded, yet each request still paid for them (a span
 * started and ended per route handler and per parse, validate and execute). Requests keep their
 * trace ids (http), pass them on (undici) and log them (pino) all the same; the request metrics
 * are our own (http-observer, graphql-metrics) and do not need them.
 */
export function createInstrumentations({ traces }: { traces: boolean }): Instrumentation[] {
  return [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (req: IncomingMessage) =>
        isOperationalPath(req.url) || isServerSpanOwned(req),
      requireParentforOutgoingSpans: true,
    }),
    new UndiciInstrumentation({
      requireParentforSpans: true,
      ignoreRequestHook: () => trace.getSpan(context.active()) === undefined,
    }),
    ...(traces
      ? [
          new ExpressInstrumentation({
            ignoreLayersType: [ExpressLayerType.MIDDLEWARE, ExpressLayerType.ROUTER],
          }),
          new GraphQLInstrumentation({ ignoreResolveSpans: true, mergeItems: true }),
        ]
      : []),
    new PinoInstrumentation({ disableLogSending: true }),
    new RuntimeNodeInstrumentation(),
  ];
}
