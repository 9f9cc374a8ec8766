import { frontDoorAuthFromEnv, gatewayIdentitySignerFromEnv } from '@manifold/platform/auth';
import { createCache } from '@manifold/platform/cache';
import { configOrExit } from '@manifold/platform/config';
import { createLogger } from '@manifold/platform/logging';
import { runService } from '@manifold/platform/service';
import { createApp } from './app.ts';
import { loadGatewayConfig } from './load-config.ts';
import { registrySupergraphSource } from './registry/registry-source.ts';

const { env, supergraph, usageReporting } = configOrExit(() => loadGatewayConfig());
const logger = createLogger({ service: 'gateway', level: env.LOG_LEVEL });
const cache = createCache({ namespace: 'gateway', redisUrl: env.REDIS_URL, logger });
const auth = configOrExit(() => frontDoorAuthFromEnv(env, logger));
const identity = configOrExit(() => gatewayIdentitySignerFromEnv(env));
const { app, close } = await configOrExit(() =>
  createApp({
    supergraph:
      supergraph.kind === 'file'
        ? supergraph.supergraph
        : registrySupergraphSource({
            registryUrl: supergraph.url,
            apiKey: supergraph.apiKey,
            lastGoodPath: supergraph.lastGoodPath,
            overrides: supergraph.overrides,
            logger,
          }),
    logger,
    cache,
    production: env.NODE_ENV === 'production',
    subgraphTimeoutMs: env.SUBGRAPH_TIMEOUT_MS,
    readinessTimeoutMs: env.READINESS_TIMEOUT_MS,
    subgraphMaxRequestBytes: env.SUBGRAPH_MAX_REQUEST_BYTES,
    corsAllowedOrigins: env.CORS_ALLOWED_ORIGINS,
    authenticate: auth.authenticate,
    identity,
    propagateHeaders: env.PROPAGATE_HEADERS,
    usageReporting,
  }),
);
await runService({
  name: 'gateway',
  handler: app,
  port: env.PORT,
  host: env.HOST,
  logger,
  graceMs: env.SHUTDOWN_GRACE_MS,
  tls: auth.tls,
  onClose: async () => {
    auth.close();
    await close();
    await cache.disconnect();
  },
});
