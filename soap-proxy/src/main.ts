import { authenticationEdge, frontDoorAuthFromEnv } from '@manifold/platform/auth';
import { createCache } from '@manifold/platform/cache';
import { configOrExit, loadEnv } from '@manifold/platform/config';
import { deadLetterRecorderFromEnv } from '@manifold/platform/dead-letters';
import { httpServerLimits } from '@manifold/platform/http';
import { createLogger } from '@manifold/platform/logging';
import { rateLimitEdge, rateLimitsFromEnv } from '@manifold/platform/rate-limit';
import { runService } from '@manifold/platform/service';
import { telemetryEdge } from '@manifold/platform/telemetry';
import { createApp, SOAP_PROXY_BODY_LIMIT_BYTES } from './app.ts';
import { accessScopes, loadProxyConfig, SoapProxyEnv } from './config.ts';
import { loadSoapServices } from './services/load-services.ts';

const env = configOrExit(() => loadEnv(SoapProxyEnv));
const logger = createLogger({ service: 'soap-proxy', level: env.LOG_LEVEL });
// A Cluster URL with a database or options is a configuration problem (no stack trace, exit 1).
const deadLetters = configOrExit(() =>
  deadLetterRecorderFromEnv(env, logger, 'non-idempotent operations'),
);
// A configuration or WSDL problem is not a bug: every problem, no stack trace, exit 1.
const services = await configOrExit(async () =>
  loadSoapServices(loadProxyConfig(env.SOAP_PROXY_CONFIG), logger, deadLetters),
);
const cache = createCache({ namespace: 'soap-proxy', redisUrl: env.REDIS_URL, logger });
const auth = configOrExit(() => frontDoorAuthFromEnv(env, logger));
const rateLimits = configOrExit(() =>
  rateLimitsFromEnv(env, { service: 'soap-proxy', access: auth.access, logger }),
);
const scopesFor = accessScopes(services.map((service) => service.config));
const bodyLimitBytes = env.HTTP_BODY_LIMIT_BYTES ?? SOAP_PROXY_BODY_LIMIT_BYTES;
await runService({
  name: 'soap-proxy',
  handler: createApp({
    services,
    deadLetters: deadLetters.state,
    cache,
    logger,
    production: env.NODE_ENV === 'production',
    edge: [
      telemetryEdge(),
      authenticationEdge({ authenticate: auth.authenticate, scopesFor }),
      // After authentication (limits are per identified caller), before any cached answer.
      ...(rateLimits ? [rateLimitEdge(rateLimits)] : []),
    ],
    bodyLimitBytes,
  }),
  port: env.PORT,
  host: env.HOST,
  logger,
  graceMs: env.SHUTDOWN_GRACE_MS,
  tls: auth.tls,
  limits: httpServerLimits(env, bodyLimitBytes),
  onClose: async () => {
    auth.close();
    await rateLimits?.close();
    await Promise.all(services.map((service) => service.close()));
    await cache.disconnect();
    await deadLetters.close();
  },
});
