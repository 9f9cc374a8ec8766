import type { Secret } from '@manifold/platform/auth';
import type { ServerPlugin } from '@manifold/platform/graphql';
import type { Logger } from '@manifold/platform/logging';
import { manifoldMeter } from '@manifold/platform/telemetry';
import type { GraphQLSchema } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { GatewayContext } from '../context.ts';
import { operationUsage, type OperationUsage } from '../usage/operation-usage.ts';
import { createUsageBuffer } from '../usage/usage-buffer.ts';
import { createUsageReporter } from '../usage/usage-reporter.ts';

/** The headers Apollo's clients send to name themselves (Apollo Client, Kotlin, iOS…). */
const CLIENT_NAME_HEADER = 'apollographql-client-name';
const CLIENT_VERSION_HEADER = 'apollographql-client-version';
/** A client name or version longer than this is cut: they are stored, one row per distinct value. */
const MAX_CLIENT_LABEL = 128;

export interface UsageReportingOptions {
  /** The schema registry's base URL (`USAGE_REPORTING_URL`). */
  registryUrl: string;
  /** API key with scope `registry:report`. */
  apiKey?: Secret | undefined;
  /** How often counts are sent. @default 10000 (10 s) */
  intervalMs?: number;
  /** Most distinct (hour, operation, client) counts held between two reports. @default 10000 */
  maxEntries?: number;
  /** Distinct operation shapes whose usage is remembered, per schema. @default 1000 */
  cachedOperations?: number;
}

function usageMetrics() {
  const meter = manifoldMeter();
  const reported = meter.createCounter('manifold.gateway.usage.reported', {
    description: 'Usage entries (operation, client, hour) the schema registry accepted.',
  });
  const dropped = meter.createCounter('manifold.gateway.usage.dropped', {
    description: 'Operation executions whose usage was not reported (buffer full, report refused).',
  });
  return {
    reported: (entries: number) => {
      reported.add(entries);
    },
    dropped: (executions: number, reason: 'buffer_full' | 'refused') => {
      dropped.add(executions, { reason });
    },
  };
}

const label = (value: string | undefined | null): string | null =>
  value ? value.slice(0, MAX_CLIENT_LABEL) : null;

/**
 * Records which fields and arguments each operation uses, and by which client, for the schema
 * registry's checks (a breaking change to something a client used fails the check). Per
 * operation: Apollo's usage signature and its schema coordinates, computed once per operation
 * shape and schema; per execution: one count in memory. Counts are aggregated per hour and sent
 * in the background every `intervalMs`; the request path never waits for the registry.
 *
 * The client is named by `apollographql-client-name` / `-version`, or else by the credential's
 * client (the access file's client id). Usage is recorded as the client asked, before
 * authorization removes what the caller may not see: a field asked for is a field in use.
 */
export function useUsageReporting({
  registryUrl,
  apiKey,
  intervalMs = 10_000,
  maxEntries = 10_000,
  cachedOperations = 1_000,
  logger,
}: UsageReportingOptions & { logger: Logger }): ServerPlugin<GatewayContext> {
  const metrics = usageMetrics();
  const buffer = createUsageBuffer({
    maxEntries,
    onDropped: (executions) => {
      metrics.dropped(executions, 'buffer_full');
    },
  });
  const reporter = createUsageReporter({
    registryUrl,
    apiKey,
    buffer,
    intervalMs,
    logger,
    onReported: metrics.reported,
    onRejected: (executions) => {
      metrics.dropped(executions, 'refused');
    },
  });
  // Per schema: after a swap, the same operation may touch other types (an interface became a union…).
  const cacheBySchema = new WeakMap<GraphQLSchema, LRUCache<string, OperationUsage>>();
  const usageOf = (
    schema: GraphQLSchema,
    key: string,
    compute: () => OperationUsage,
  ): OperationUsage => {
    let cache = cacheBySchema.get(schema);
    if (!cache) {
      cache = new LRUCache({ max: cachedOperations });
      cacheBySchema.set(schema, cache);
    }
    let usage = cache.get(key);
    if (!usage) {
      usage = compute();
      cache.set(key, usage);
    }
    return usage;
  };

  return {
    name: 'usage-reporting',
    apollo: [
      {
        requestDidStart: () =>
          Promise.resolve({
            didResolveOperation: ({
              document,
              operationName,
              queryHash,
              schema,
              request,
              contextValue,
            }) => {
              try {
                const usage = usageOf(schema, `${queryHash}\n${operationName ?? ''}`, () =>
                  operationUsage(document, operationName, schema),
                );
                const headers = request.http?.headers;
                const caller = contextValue.caller;
                buffer.record(usage, {
                  name:
                    label(headers?.get(CLIENT_NAME_HEADER)) ??
                    (caller.method === 'anonymous' ? null : label(caller.clientId)),
                  version: label(headers?.get(CLIENT_VERSION_HEADER)),
                });
              } catch (error) {
                // Usage is bookkeeping: it never fails the request it records.
                logger.warn({ err: error }, 'cannot record the usage of an operation');
              }
              return Promise.resolve();
            },
          }),
      },
    ],
    close: () => reporter.close(),
  };
}
