import { createCache } from '@manifold/platform/cache';
import { loadEnv } from '@manifold/platform/config';
import { createLogger } from '@manifold/platform/logger';
import { runService } from '@manifold/platform/run-service';
import { createApp } from './app.ts';
import { GatewayEnv, loadSubgraphUrlOverrides } from './config.ts';
import { loadSupergraph, type Supergraph } from './supergraph.ts';

const env = loadEnv(GatewayEnv);
const logger = createLogger({ service: 'gateway', level: env.LOG_LEVEL });
let supergraph: Supergraph;
try {
  supergraph = loadSupergraph(env.SUPERGRAPH_PATH, loadSubgraphUrlOverrides());
} catch (error) {
  // A configuration problem, not a bug: say what is wrong, no stack trace.
  logger.fatal((error as Error).message);
  process.exit(1);
}
const cache = createCache({ namespace: 'gateway', redisUrl: env.REDIS_URL, logger });
const { app, close } = await createApp({
  supergraph,
  logger,
  cache,
  production: env.NODE_ENV === 'production',
  subgraphTimeoutMs: env.SUBGRAPH_TIMEOUT_MS,
  readinessTimeoutMs: env.READINESS_TIMEOUT_MS,
});
await runService({
  name: 'gateway',
  handler: app,
  port: env.PORT,
  host: env.HOST,
  logger,
  graceMs: env.SHUTDOWN_GRACE_MS,
  onClose: async () => {
    await close();
    await cache.disconnect();
  },
});
