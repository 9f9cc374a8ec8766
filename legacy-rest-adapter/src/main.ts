import { createCache } from '@manifold/platform/cache';
import { configOrExit, loadEnv } from '@manifold/platform/config';
import { createLogger } from '@manifold/platform/logging';
import { createUpstreamPolicy } from '@manifold/platform/resilience';
import { runService } from '@manifold/platform/service';
import { telemetryEdge } from '@manifold/platform/telemetry';
import { createApp } from './app.ts';
import { createLegacyClient } from './clients/legacy-client.ts';
import { createLegacyForms } from './clients/legacy-forms.ts';
import { LegacySession } from './clients/legacy-session.ts';
import { LegacyAdapterEnv } from './config.ts';

const env = configOrExit(() => loadEnv(LegacyAdapterEnv));
const logger = createLogger({ service: 'legacy-rest-adapter', level: env.LOG_LEVEL });
const session = new LegacySession({
  baseUrl: env.LEGACY_URL,
  username: env.LEGACY_USER,
  password: env.LEGACY_PASSWORD,
});
const policy = createUpstreamPolicy({ name: 'legacy', logger, timeoutMs: env.LEGACY_TIMEOUT_MS });
const legacy = createLegacyClient({ baseUrl: env.LEGACY_URL, session, policy });
const forms = createLegacyForms({ baseUrl: env.LEGACY_URL, session, policy });
const cache = createCache({ namespace: 'legacy-rest-adapter', redisUrl: env.REDIS_URL, logger });
await runService({
  name: 'legacy-rest-adapter',
  handler: createApp({
    legacy,
    forms,
    cache,
    logger,
    production: env.NODE_ENV === 'production',
    v1Sunset: new Date(`${env.V1_SUNSET}T00:00:00Z`),
    health: () => ({ ...policy.stats(), logins: session.logins }),
    edge: [telemetryEdge()],
  }),
  port: env.PORT,
  host: env.HOST,
  logger,
  graceMs: env.SHUTDOWN_GRACE_MS,
  onClose: async () => {
    policy.dispose();
    await cache.disconnect();
  },
});
