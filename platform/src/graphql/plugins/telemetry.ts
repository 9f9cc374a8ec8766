import type { BaseContext, GraphQLRequestContextWillSendResponse } from '@apollo/server';
import type { Request } from 'express';
import type { GraphQLFormattedError } from 'graphql';
import { Header } from '../../contracts/headers.ts';
import {
  activeTraceId,
  createGraphQLOperationMetrics,
  createHttpObserver,
  FAILURES_PATH,
  isServerSideCode,
  markFailureRecorded,
  METRICS_PATH,
  serveTelemetry,
  setActiveSpanAttributes,
  telemetryRuntime,
} from '../../telemetry/index.ts';
import type { ServerPlugin } from '../server-plugin.ts';

// The HTTP request behind an operation, on its context: Apollo Server copies the context per
// operation (own properties, symbols included), so a WeakMap keyed by it would miss.
const REQUEST = Symbol('manifold.telemetry.request');
interface RequestRef {
  req: Request;
  requestId: string;
}

const codeOf = (error: GraphQLFormattedError): string | undefined => {
  const code = error.extensions?.['code'];
  return typeof code === 'string' ? code : undefined;
};

/** The code that matters most in an answer: the first that is ours to fix, else the first. */
function leadingCode(errors: readonly GraphQLFormattedError[] | undefined): string | undefined {
  if (!errors || errors.length === 0) return undefined;
  const codes = errors.map((error) => codeOf(error) ?? 'INTERNAL_SERVER_ERROR');
  return codes.find((code) => isServerSideCode(code)) ?? codes[0];
}

const errorsOf = (context: GraphQLRequestContextWillSendResponse<BaseContext>) =>
  context.response.body.kind === 'single' ? context.response.body.singleResult.errors : undefined;

/**
 * Telemetry of a GraphQL service, listed first so it sees every request:
 * - `GET /metrics` (Prometheus text) and `GET /metrics/failures` (latest failures, JSON);
 * - `http.server.request.duration` for `/graphql` (see createHttpObserver);
 * - `manifold.graphql.operation.duration` by operation type, name (bounded) and error code;
 * - the operation's name and type on the request's server span;
 * - an answer carrying an error that is ours (UPSTREAM_*, INTERNAL_SERVER_ERROR…) is a failed
 *   request for the ops console, under its operation's name, with its trace id.
 */
export function useTelemetry<TContext extends BaseContext>(): ServerPlugin<TContext> {
  const observe = createHttpObserver({ route: '/graphql' });
  const operations = createGraphQLOperationMetrics();
  const failures = telemetryRuntime()?.failures;

  const finish = (context: GraphQLRequestContextWillSendResponse<TContext>, seconds: number) => {
    const type = context.operation?.operation;
    const name = context.operation ? (context.operationName ?? undefined) : undefined;
    const code = leadingCode(errorsOf(context));
    operations.record(seconds, { type, name, code });
    if (!failures || code === undefined || !isServerSideCode(code)) return;
    const request = (context.contextValue as Partial<Record<typeof REQUEST, RequestRef>>)[REQUEST];
    if (request) markFailureRecorded(request.req);
    const traceId = activeTraceId();
    failures.record({
      at: new Date().toISOString(),
      name: type === undefined ? 'GraphQL request' : `${type} ${name ?? '(anonymous)'}`,
      status: context.response.http.status ?? 200,
      code,
      ...(traceId === undefined ? {} : { traceId }),
      requestId: request?.requestId ?? context.request.http?.headers.get(Header.requestId) ?? '',
    });
  };

  return {
    name: 'telemetry',
    routes: (app) => {
      app.get([METRICS_PATH, FAILURES_PATH], async (req, res) => {
        await serveTelemetry(req, res);
      });
    },
    http: [
      (req, res, next) => {
        observe(req, res);
        next();
      },
    ],
    context: (context, { req, requestId }) => {
      Object.assign(context, { [REQUEST]: { req, requestId } satisfies RequestRef });
    },
    apollo: [
      {
        requestDidStart() {
          const started = performance.now();
          return Promise.resolve({
            didResolveOperation(context) {
              const type = context.operation?.operation;
              if (type === undefined) return Promise.resolve();
              setActiveSpanAttributes({
                'graphql.operation.type': type,
                ...(context.operationName
                  ? { 'graphql.operation.name': context.operationName }
                  : {}),
              });
              return Promise.resolve();
            },
            willSendResponse(context) {
              finish(context, (performance.now() - started) / 1000);
              return Promise.resolve();
            },
          });
        },
      },
    ],
  };
}
