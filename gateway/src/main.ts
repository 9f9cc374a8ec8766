import { frontDoorAuthFromEnv, gatewayIdentitySignerFromEnv } from '@manifold/platform/auth';
import { createCache } from '@manifold/platform/cache';
import { configOrExit } from '@manifold/platform/config';
import { httpServerLimits } from '@manifold/platform/http';
import { createLogger } from '@manifold/platform/logging';
import { rateLimitsFromEnv } from '@manifold/platform/rate-limit';
import { runService } from '@manifold/platform/service';
import { createApp } from './app.ts';
import { GATEWAY_BODY_LIMIT_BYTES, operationLimitsFromEnv } from './config.ts';
import { loadGatewayConfig } from './load-config.ts';
import { registrySupergraphSource } from './registry/registry-source.ts';
import { watchTrustedDocuments } from './trusted-documents/store.ts';

const { env, supergraph, subgraphTimeouts, usageReporting } = configOrExit(() =>
  loadGatewayConfig(),
);
const bodyLimitBytes = env.HTTP_BODY_LIMIT_BYTES ?? GATEWAY_BODY_LIMIT_BYTES;
const logger = createLogger({ service: 'gateway', level: env.LOG_LEVEL });
const cache = createCache({ namespace: 'gateway', redisUrl: env.REDIS_URL, logger });
const auth = configOrExit(() => frontDoorAuthFromEnv(env, logger));
const identity = configOrExit(() => gatewayIdentitySignerFromEnv(env));
const trustedDocuments = configOrExit(() =>
  watchTrustedDocuments(env.TRUSTED_DOCUMENTS_PATH, { logger }),
);
const rateLimits = configOrExit(() =>
  rateLimitsFromEnv(env, { service: 'gateway', access: auth.access, logger }),
);
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
    rateLimits,
    identity,
    propagateHeaders: env.PROPAGATE_HEADERS,
    trustedDocuments: {
      documents: trustedDocuments.current,
      onlyClients: new Set(env.TRUSTED_DOCUMENTS_ONLY_CLIENTS),
    },
    operationLimits: configOrExit(() => operationLimitsFromEnv(env)),
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
  limits: httpServerLimits(env, bodyLimitBytes),
  onClose: async () => {
    auth.close();
    trustedDocuments.close();
    await close();
    await cache.disconnect();
  },
});
