import { authenticationEdge, frontDoorAuthFromEnv } from '@manifold/platform/auth';
import { configOrExit, loadEnv } from '@manifold/platform/config';
import { createLogger } from '@manifold/platform/logging';
import { runService } from '@manifold/platform/service';
import { telemetryEdge } from '@manifold/platform/telemetry';
import { createApp } from './app.ts';
import {
  openDestinationStates,
  openEngine,
  openFanOut,
  openOutbound,
  openReplicaAcks,
  runWorkers,
} from './bootstrap.ts';
import { accessScopes, WebhooksEnv } from './config.ts';
import { createDeadLetters } from './dead-letters/dead-letters.ts';
import { afterReplicas } from './engine/replica-acks.ts';
import { createReceiver } from './inbound/receiver.ts';
import { createWebhooksMetrics } from './metrics.ts';
import { createSources } from './sources.ts';

const env = configOrExit(() => loadEnv(WebhooksEnv));
const logger = createLogger({ service: 'webhooks', level: env.LOG_LEVEL });
const { engine, file } = await configOrExit(() => openEngine(env, logger));
// Events from senders wait for replicas (WEBHOOKS_ACK_REPLICAS); this process's own
// `endpoint.disabled` events (outbound) answer no one, and do not.
const replicaAcks = await configOrExit(() => openReplicaAcks(env, engine, logger));
const fanOut = openFanOut(env, engine, file);
const outbound = configOrExit(() =>
  openOutbound(env, engine, fanOut, file, logger, (endpoint) => {
    metrics.endpointDisabled(endpoint);
  }),
);
const destinationStates = openDestinationStates(env, engine, file, logger);
const metrics = createWebhooksMetrics({
  deadLetters: engine.deliveries,
  endpointStates: outbound.states,
  destinationStates,
});
const sources = configOrExit(() => createSources(file.sources, process.env, logger));
const workers = env.WEBHOOKS_WORKERS
  ? runWorkers(env, engine, file, outbound, destinationStates, metrics, logger)
  : undefined;
const auth = configOrExit(() => frontDoorAuthFromEnv(env, logger));
const deadLetters = createDeadLetters(engine);
await runService({
  name: 'webhooks',
  handler: createApp({
    receive: createReceiver({
      sources,
      fanOut: replicaAcks === undefined ? fanOut : afterReplicas(fanOut, replicaAcks),
      metrics,
      logger,
    }),
    deadLetters,
    endpoints: outbound.states,
    destinations: destinationStates,
    logger,
    production: env.NODE_ENV === 'production',
    health: async () => ({
      deliveries: await engine.deliveries.getJobCounts('waiting', 'active', 'delayed', 'failed'),
      disabledEndpoints: (await outbound.states.list())
        .filter((state) => state.disabled)
        .map((state) => state.name),
      destinations: Object.fromEntries(
        (await destinationStates.list()).map((state) => [state.name, state.state]),
      ),
    }),
    storeReady: () => engine.redis.status === 'ready',
    edge: [
      telemetryEdge(),
      authenticationEdge({ authenticate: auth.authenticate, scopesFor: accessScopes }),
    ],
  }),
  port: env.PORT,
  host: env.HOST,
  logger,
  graceMs: env.SHUTDOWN_GRACE_MS,
  tls: auth.tls,
  onClose: async () => {
    auth.close();
    metrics.dispose();
    // Workers first: a delivery in flight finishes (or is handed back) before the queues close.
    await workers?.close();
    replicaAcks?.close();
    await engine.close();
  },
});
logger.info(
  {
    sources: [...sources.keys()],
    destinations: Object.keys(file.destinations),
    endpoints: [...outbound.endpoints.keys()],
    workers: env.WEBHOOKS_WORKERS,
  },
  'webhooks ready',
);
