import { frontDoorAuthFromEnv, gatewayIdentitySignerFromEnv } from '@manifold/platform/auth';
import { createCache } from '@manifold/platform/cache';
import { configOrExit } from '@manifold/platform/config';
import { httpServerLimits } from '@manifold/platform/http';
import { createLogger } from '@manifold/platform/logging';
import { runService } from '@manifold/platform/service';
import { createApp } from './app.ts';
import { GATEWAY_BODY_LIMIT_BYTES } from './config.ts';
import { loadGatewayConfig } from './load-config.ts';

const { env, supergraph, subgraphTimeouts } = configOrExit(() => loadGatewayConfig());
const bodyLimitBytes = env.HTTP_BODY_LIMIT_BYTES ?? GATEWAY_BODY_LIMIT_BYTES;
const logger = createLogger({ service: 'gateway', level: env.LOG_LEVEL });
const cache = createCache({ namespace: 'gateway', redisUrl: env.REDIS_URL, logger });
const auth = configOrExit(() => frontDoorAuthFromEnv(env, logger));
const identity = configOrExit(() => gatewayIdentitySignerFromEnv(env));
const { app, close } = await createApp({
  supergraph,
  logger,
  cache,
  production: env.NODE_ENV === 'production',
  subgraphResilience: {
    timeoutMs: env.SUBGRAPH_TIMEOUT_MS,
    timeoutMsBySubgraph: subgraphTimeouts,
    maxAttempts: env.SUBGRAPH_MAX_ATTEMPTS,
    breakerThreshold: env.SUBGRAPH_BREAKER_THRESHOLD,
    halfOpenAfterMs: env.SUBGRAPH_BREAKER_HALF_OPEN_MS,
  },
  deduplicateSubgraphFetches: env.SUBGRAPH_DEDUPLICATION,
  bodyLimitBytes,
  maxVariablesBytes: env.GRAPHQL_MAX_VARIABLES_BYTES,
  readinessTimeoutMs: env.READINESS_TIMEOUT_MS,
  subgraphMaxRequestBytes: env.SUBGRAPH_MAX_REQUEST_BYTES,
  corsAllowedOrigins: env.CORS_ALLOWED_ORIGINS,
  authenticate: auth.authenticate,
  identity,
  propagateHeaders: env.PROPAGATE_HEADERS,
});
await runService({
  name: 'gateway',
  handler: app,
  port: env.PORT,
  host: env.HOST,
  logger,
  graceMs: env.SHUTDOWN_GRACE_MS,
  tls: auth.tls,
  limits: httpServerLimits(env, bodyLimitBytes),
  onClose: async () => {
    auth.close();
    await close();
    await cache.disconnect();
  },
});
