import { authenticationEdge, frontDoorAuthFromEnv } from '@manifold/platform/auth';
import { createCache } from '@manifold/platform/cache';
import { configOrExit, loadEnv } from '@manifold/platform/config';
import { deadLetterRecorderFromEnv } from '@manifold/platform/dead-letters';
import { httpServerLimits } from '@manifold/platform/http';
import { createLogger } from '@manifold/platform/logging';
import {
  createUpstreamThrottle,
  rateLimitEdge,
  rateLimitsFromEnv,
} from '@manifold/platform/rate-limit';
import { createUpstreamPolicy } from '@manifold/platform/resilience';
import { runService } from '@manifold/platform/service';
import { API_VERSIONS, withSunset } from './api-versions.ts';
import { telemetryEdge } from '@manifold/platform/telemetry';
import { createApp, LEGACY_ADAPTER_BODY_LIMIT_BYTES } from './app.ts';
import { createLegacyClient } from './clients/legacy-client.ts';
import { createLegacyForms } from './clients/legacy-forms.ts';
import { LegacySession } from './clients/legacy-session.ts';
import { accessScopes, LegacyAdapterEnv } from './config.ts';

const env = configOrExit(() => loadEnv(LegacyAdapterEnv));
const logger = createLogger({ service: 'legacy-rest-adapter', level: env.LOG_LEVEL });
const session = new LegacySession({
  baseUrl: env.LEGACY_URL,
  username: env.LEGACY_USER,
  password: env.LEGACY_PASSWORD,
});
const policy = createUpstreamPolicy({
  name: 'legacy',
  logger,
  timeoutMs: env.LEGACY_TIMEOUT_MS,
  throttle: createUpstreamThrottle({
    name: 'legacy',
    callsPerSecond: env.LEGACY_CALLS_PER_SECOND,
    waitBudgetMs: env.LEGACY_WAIT_BUDGET_MS,
  }),
});
// A Cluster URL with a database or options is a configuration problem (no stack trace, exit 1).
const deadLetters = configOrExit(() =>
  deadLetterRecorderFromEnv(env, logger, 'non-idempotent legacy writes'),
);
const limits = { maxResponseBytes: env.LEGACY_MAX_RESPONSE_BYTES };
const legacy = createLegacyClient({ baseUrl: env.LEGACY_URL, session, policy, ...limits });
const forms = createLegacyForms({ baseUrl: env.LEGACY_URL, session, policy, ...limits });
const cache = createCache({ namespace: 'legacy-rest-adapter', redisUrl: env.REDIS_URL, logger });
const auth = configOrExit(() => frontDoorAuthFromEnv(env, logger));
const rateLimits = configOrExit(() =>
  rateLimitsFromEnv(env, { service: 'legacy-rest-adapter', access: auth.access, logger }),
);
const bodyLimitBytes = env.HTTP_BODY_LIMIT_BYTES ?? LEGACY_ADAPTER_BODY_LIMIT_BYTES;
await runService({
  name: 'legacy-rest-adapter',
  handler: createApp({
    legacy,
    forms,
    cache,
    deadLetters,
    logger,
    production: env.NODE_ENV === 'production',
    versions: withSunset(
      API_VERSIONS,
      1,
      env.V1_SUNSET === undefined ? undefined : new Date(`${env.V1_SUNSET}T00:00:00Z`),
    ),
    health: () => ({ ...policy.stats(), logins: session.logins }),
    bodyLimitBytes,
    edge: [
      telemetryEdge(),
      authenticationEdge({ authenticate: auth.authenticate, scopesFor: accessScopes }),
      // After authentication (limits are per identified caller), before the resource cache.
      ...(rateLimits ? [rateLimitEdge(rateLimits)] : []),
    ],
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
    policy.dispose();
    await cache.disconnect();
    await deadLetters.close();
  },
});
