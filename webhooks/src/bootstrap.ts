import { ConfigError, configOrExit } from '@manifold/platform/config';
import { Redis } from 'ioredis';
import { shownNode } from '@manifold/platform/dead-letters';
import type { Logger } from '@manifold/platform/logging';
import { queueRedisUrl, replayTargetsFromEnv, type WebhooksEnv } from './config.ts';
import { createDestinationStates, type DestinationStates } from './delivery/destination-states.ts';
import { createFanOut, type FanOut } from './delivery/fan-out.ts';
import { checkClaimAndAdd } from './engine/claim-and-add.ts';
import { checkQueueRedis, replicasInSync } from './engine/redis-check.ts';
import { createReplicaAcks, type ReplicaAcks } from './engine/replica-acks.ts';
import { createEngine, type Engine } from './engine/queues.ts';
import { startWorkers, type Workers } from './engine/workers.ts';
import type { WebhooksMetrics } from './metrics.ts';
import { recordEndpointDisabled } from './outbound/disabled-event.ts';
import { createEndpointStates, type EndpointStates } from './outbound/endpoint-states.ts';
import { createEndpoints, type OutboundEndpoint } from './outbound/endpoints.ts';
import { createOrderKeys } from './settings/order-keys.ts';
import { createRouter } from './settings/routing.ts';
import { loadWebhooksFile } from './settings/webhooks-file.ts';

const CONNECT_TIMEOUT_MS = 10_000;

/**
 * What the HTTP service and a worker-only process share: the webhooks file, the queue's Redis —
 * refused unless it keeps what it acknowledged (AOF, noeviction) — and the queues. Throws
 * ConfigError for anything an operator must fix; main.ts turns it into exit 1.
 */
export async function openEngine(env: WebhooksEnv, logger: Logger) {
  const file = loadWebhooksFile(env.WEBHOOKS_FILE, process.env);
  for (const { destination, variable } of file.skipped)
    logger.warn(
      { destination, variable },
      `webhook destination ${destination} left out with its routes: ${variable} (or ${variable}_FILE) is not set`,
    );
  const url = queueRedisUrl(env);
  if (url === undefined)
    throw new ConfigError([
      'WEBHOOKS_REDIS_URL (or REDIS_URL): required — a Redis with AOF and maxmemory-policy noeviction (npm start runs a private one under .data/ when neither is set)',
    ]);
  // WAIT has no key: on a Cluster it would have to be sent to the slot owner's connection.
  if (env.WEBHOOKS_ACK_REPLICAS > 0 && env.WEBHOOKS_REDIS_CLUSTER)
    throw new ConfigError([
      'WEBHOOKS_ACK_REPLICAS: not available with WEBHOOKS_REDIS_CLUSTER (a single Redis and its replicas only); unset one of them',
    ]);
  const engine = createEngine({
    url,
    prefix: env.WEBHOOKS_QUEUE_PREFIX,
    cluster: env.WEBHOOKS_REDIS_CLUSTER,
  });
  try {
    try {
      await engine.ready(CONNECT_TIMEOUT_MS);
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw new ConfigError([
        `WEBHOOKS_REDIS_URL: no answer from ${shownNode(url)} within ${CONNECT_TIMEOUT_MS / 1000} s`,
      ]);
    }
    const { appendfsync } = await checkQueueRedis(engine.redis, url);
    if (appendfsync !== 'always')
      logger.warn(
        { appendfsync: appendfsync ?? 'unknown' },
        'queue Redis does not fsync every write: an acknowledged event survives a Redis crash, not a power loss (set appendfsync always for that)',
      );
    // Every event's deliveries are added by BullMQ's add script run inside ours: an installed
    // BullMQ that adds otherwise, or whose script does not compile inside ours, stops it here.
    await checkClaimAndAdd(engine.redis, engine.deliveries).catch((error: unknown) => {
      throw new ConfigError([error instanceof Error ? error.message : String(error)]);
    });
  } catch (error) {
    await engine.close();
    throw error;
  }
  return { engine, file, url };
}

export interface Outbound {
  endpoints: Map<string, OutboundEndpoint>;
  states: EndpointStates;
}

/** An accepted event → its deliveries and its receipt, stored together (delivery/fan-out.ts). */
export function openFanOut(
  env: WebhooksEnv,
  engine: Engine,
  file: ReturnType<typeof loadWebhooksFile>,
): FanOut {
  return createFanOut({
    route: createRouter(file.routes),
    deliveries: engine.deliveries,
    redis: engine.redis,
    prefix: engine.prefix,
    attempts: env.WEBHOOKS_RETRY_SCHEDULE.length + 1,
    dedupeSeconds: env.WEBHOOKS_DEDUPE_SECONDS,
    orderKeys: file.routes.some((route) => route.orderBy !== undefined)
      ? createOrderKeys(file.routes)
      : undefined,
  });
}

/**
 * WEBHOOKS_ACK_REPLICAS, for the HTTP service's receiver only (a worker acknowledges nothing to a
 * sender): undefined when 0. Its own connection, up and allowed to fence and WAIT before it
 * returns (ConfigError otherwise); warns when fewer replicas are in sync than it waits for (not
 * refused: replicas come and go; events are refused meanwhile).
 */
export async function openReplicaAcks(
  env: WebhooksEnv,
  engine: Engine,
  logger: Logger,
): Promise<ReplicaAcks | undefined> {
  const replicas = env.WEBHOOKS_ACK_REPLICAS;
  // openEngine refused the setting with a Cluster.
  if (replicas === 0 || !(engine.redis instanceof Redis)) return undefined;
  const acks = createReplicaAcks(engine.redis, {
    replicas,
    timeoutMs: env.WEBHOOKS_ACK_REPLICAS_TIMEOUT_MS,
    fenceKey: `${engine.prefix}:replica-fence`,
    logger,
  });
  try {
    await acks.start(CONNECT_TIMEOUT_MS);
  } catch (error) {
    acks.close();
    throw new ConfigError([
      `WEBHOOKS_ACK_REPLICAS: Redis at ${shownNode(queueRedisUrl(env) ?? '')} cannot be waited on: ${error instanceof Error ? error.message : String(error)}`,
    ]);
  }
  const inSync = await replicasInSync(engine.redis);
  if (inSync < replicas)
    logger.warn(
      { inSync, required: replicas },
      'queue Redis has fewer replicas in sync than WEBHOOKS_ACK_REPLICAS: events are refused (503) until enough are',
    );
  return acks;
}

/**
 * Customers' registered endpoints (ConfigError when one has no usable secret) and their health
 * on the queue's Redis. A disabling is logged, counted (`countDisabled`, late-bound: the metrics
 * read the states) and recorded as an `endpoint.disabled` event of the endpoint's source.
 */
export function openOutbound(
  env: WebhooksEnv,
  engine: Engine,
  fanOut: FanOut,
  file: ReturnType<typeof loadWebhooksFile>,
  logger: Logger,
  countDisabled: (endpoint: string) => void,
): Outbound {
  const endpoints = createEndpoints(file.endpoints, process.env);
  const states = createEndpointStates({
    redis: engine.redis,
    prefix: engine.prefix,
    names: [...endpoints.keys()],
    rule: {
      afterDeadLetters: env.WEBHOOKS_ENDPOINT_DISABLE_AFTER_DEAD_LETTERS,
      afterMs: env.WEBHOOKS_ENDPOINT_DISABLE_AFTER_HOURS * 3_600_000,
    },
    onDisabled: async (state) => {
      logger.warn(
        { endpoint: state.name, reason: state.reason },
        'endpoint disabled: its deliveries are dead letters until it is enabled again',
      );
      countDisabled(state.name);
      await recordEndpointDisabled(fanOut, file.endpoints[state.name]?.source ?? 'manifold', state);
    },
  });
  return { endpoints, states };
}

/**
 * Destinations' rate limits, circuit breakers, pauses and Retry-After holds on the queue's Redis (shared by every
 * worker process). A pause is logged as a warning: deliveries wait until an operator resumes it.
 */
export function openDestinationStates(
  env: WebhooksEnv,
  engine: Engine,
  file: ReturnType<typeof loadWebhooksFile>,
  logger: Logger,
): DestinationStates {
  return createDestinationStates({
    redis: engine.redis,
    prefix: engine.prefix,
    destinations: file.destinations,
    maxHoldMs: env.WEBHOOKS_MAX_RETRY_AFTER_MS,
    onHeld: (name, until) => {
      logger.info(
        { destination: name, until: until.toISOString() },
        'destination held by its Retry-After: its deliveries wait until then',
      );
    },
    onPaused: (state) => {
      logger.warn(
        { destination: state.name, reason: state.reason },
        'destination paused: its deliveries wait (nothing is dropped) until `npm run webhooks -- destinations resume <name>`',
      );
    },
  });
}

export function runWorkers(
  env: WebhooksEnv,
  engine: Engine,
  file: ReturnType<typeof loadWebhooksFile>,
  outbound: Outbound,
  destinationStates: DestinationStates,
  metrics: WebhooksMetrics,
  logger: Logger,
): Workers {
  return startWorkers({
    engine,
    ordered: file.routes.some((route) => route.orderBy !== undefined),
    destinationStates,
    destinations: file.destinations,
    endpoints: outbound.endpoints,
    endpointStates: outbound.states,
    // A credential set twice (NAME and NAME_FILE, an API key and a client secret) is the
    // operator's to fix: said, exit 1.
    replayTargets: configOrExit(() => replayTargetsFromEnv(env, logger)),
    schedule: env.WEBHOOKS_RETRY_SCHEDULE,
    maxRetryAfterMs: env.WEBHOOKS_MAX_RETRY_AFTER_MS,
    concurrency: env.WEBHOOKS_CONCURRENCY,
    lockMs: env.WEBHOOKS_LOCK_MS,
    metrics,
    logger,
  });
}
