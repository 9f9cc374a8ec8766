// bench:auth's baseline: legacy-rest-adapter built as its main.ts builds it, without the
// authentication edge — the same app, cache, telemetry edge and server limits, no credentials
// checked. bench:auth runs both with RATE_LIMITS=off (rate limits have their own benchmark).
// Never run outside a benchmark.
import { createCache } from '@manifold/platform/cache';
import { loadEnv } from '@manifold/platform/config';
import { httpServerLimits } from '@manifold/platform/http';
import { createLogger } from '@manifold/platform/logging';
import { createUpstreamPolicy } from '@manifold/platform/resilience';
import { runService } from '@manifold/platform/service';
import { telemetryEdge } from '@manifold/platform/telemetry';
import { API_VERSIONS } from '../../legacy-rest-adapter/src/api-versions.ts';
import { createApp, LEGACY_ADAPTER_BODY_LIMIT_BYTES } from '../../legacy-rest-adapter/src/app.ts';
import { createLegacyClient } from '../../legacy-rest-adapter/src/clients/legacy-client.ts';
import { createLegacyForms } from '../../legacy-rest-adapter/src/clients/legacy-forms.ts';
import { LegacySession } from '../../legacy-rest-adapter/src/clients/legacy-session.ts';
import { LegacyAdapterEnv } from '../../legacy-rest-adapter/src/config.ts';

const env = loadEnv(LegacyAdapterEnv);
const logger = createLogger({
  service: 'legacy-rest-adapter (no authentication)',
  level: env.LOG_LEVEL,
});
const session = new LegacySession({
  baseUrl: env.LEGACY_URL,
  username: env.LEGACY_USER,
  password: env.LEGACY_PASSWORD,
});
const policy = createUpstreamPolicy({ name: 'legacy', logger, timeoutMs: env.LEGACY_TIMEOUT_MS });
const bodyLimitBytes = env.HTTP_BODY_LIMIT_BYTES ?? LEGACY_ADAPTER_BODY_LIMIT_BYTES;
await runService({
  name: 'legacy-rest-adapter (no authentication)',
  handler: createApp({
    legacy: createLegacyClient({ baseUrl: env.LEGACY_URL, session, policy }),
    forms: createLegacyForms({ baseUrl: env.LEGACY_URL, session, policy }),
    cache: createCache({ namespace: 'legacy-rest-adapter', logger }),
    logger,
    production: true,
    versions: API_VERSIONS,
    health: () => ({ ...policy.stats() }),
    bodyLimitBytes,
    edge: [telemetryEdge()],
  }),
  port: env.PORT,
  host: env.HOST,
  logger,
  limits: httpServerLimits(env, bodyLimitBytes),
});
