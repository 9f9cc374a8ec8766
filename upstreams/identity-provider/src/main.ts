import { configOrExit, loadEnv } from '@manifold/platform/config';
import { createLogger } from '@manifold/platform/logging';
import { runService } from '@manifold/platform/service';
import { createApp } from './app.ts';
import { IdentityProviderEnv } from './config.ts';
import { loadProviderSecrets } from './data-store.ts';

const env = configOrExit(() => loadEnv(IdentityProviderEnv));
const logger = createLogger({ service: 'identity-provider', level: env.LOG_LEVEL });
const issuer = env.IDP_ISSUER ?? `http://127.0.0.1:${env.PORT}`;
const { handler } = createApp({
  issuer,
  secrets: await loadProviderSecrets(env.IDP_DATA_DIR),
  logger,
  accessTokenTtlSeconds: env.IDP_ACCESS_TOKEN_TTL_SECONDS,
});
await runService({
  name: 'identity-provider',
  handler,
  port: env.PORT,
  host: env.HOST,
  logger,
  graceMs: env.SHUTDOWN_GRACE_MS,
});
