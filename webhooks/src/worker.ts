// A worker-only process (`node webhooks/src/worker.ts`): deliveries, no HTTP. Run as
// many as the deliveries need, beside services started with WEBHOOKS_WORKERS=false; they share
// the queues through Redis.
import { configOrExit, loadEnv } from '@manifold/platform/config';
import { createLogger } from '@manifold/platform/logging';
import { exitOnSignals } from '@manifold/platform/service';
import {
  openDestinationStates,
  openEngine,
  openFanOut,
  openOutbound,
  runWorkers,
} from './bootstrap.ts';
import { WebhooksEnv } from './config.ts';
import { createWebhooksMetrics } from './metrics.ts';

const env = configOrExit(() => loadEnv(WebhooksEnv));
const logger = createLogger({ service: 'webhooks-worker', level: env.LOG_LEVEL });
const { engine, file } = await configOrExit(() => openEngine(env, logger));
const fanOut = openFanOut(env, engine, file);
const outbound = configOrExit(() =>
  openOutbound(env, engine, fanOut, file, logger, (endpoint) => {
    metrics.endpointDisabled(endpoint);
  }),
);
const metrics = createWebhooksMetrics();
const workers = runWorkers(
  env,
  engine,
  file,
  outbound,
  openDestinationStates(env, engine, file, logger),
  metrics,
  logger,
);
exitOnSignals(
  async () => {
    await workers.close();
    await engine.close();
  },
  logger,
  { deadlineMs: env.SHUTDOWN_GRACE_MS + 5_000 },
);
logger.info({ destinations: Object.keys(file.destinations) }, 'webhooks worker running');
