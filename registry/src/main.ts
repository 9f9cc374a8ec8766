import { frontDoorAuthFromEnv } from '@manifold/platform/auth';
import { configOrExit, loadEnv } from '@manifold/platform/config';
import { createLogger } from '@manifold/platform/logging';
import { runService } from '@manifold/platform/service';
import { telemetryEdge } from '@manifold/platform/telemetry';
import { createApp } from './app.ts';
import { createWorkerComposer } from './composition/composer.ts';
import { publicReads, RegistryEnv } from './config.ts';
import { registryAccessEdge, registryScopes } from './http/access.ts';
import { repositorySubgraphs } from './seed.ts';
import { openStore } from './store/open-store.ts';

const env = configOrExit(() => loadEnv(RegistryEnv));
const logger = createLogger({ service: 'registry', level: env.LOG_LEVEL });
const auth = configOrExit(() => frontDoorAuthFromEnv(env, logger));
const store = await openStore({
  databaseUrl: env.REGISTRY_DATABASE_URL,
  databasePath: env.REGISTRY_DATABASE_PATH,
});
const composer = createWorkerComposer();
const scopesFor = registryScopes({ publicReads: publicReads(env) });
const app = createApp({
  store,
  composer,
  logger,
  production: env.NODE_ENV === 'production',
  usageWindowDays: env.REGISTRY_USAGE_WINDOW_DAYS,
  pollMs: env.REGISTRY_POLL_MS,
  scopesFor,
  bearer: auth.acceptsJwt,
  edge: [telemetryEdge(), registryAccessEdge({ authenticate: auth.authenticate, scopesFor })],
});
await app.start();
if (env.REGISTRY_SEED) {
  const seeded = await app.registry.seed(repositorySubgraphs());
  if (seeded) logger.info({ version: seeded.version }, "seeded from the repository's subgraphs");
}
logger.info({ store: store.kind, version: app.watch.current ?? null }, 'registry store open');
// Held long-polls would keep a drain waiting for up to 30 s: answer them (304) as soon as shutdown begins.
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.once(signal, () => {
    app.close();
  });
process.once('disconnect', () => {
  app.close();
});
await runService({
  name: 'registry',
  handler: app.handler,
  port: env.PORT,
  host: env.HOST,
  logger,
  graceMs: env.SHUTDOWN_GRACE_MS,
  tls: auth.tls,
  onClose: async () => {
    app.close();
    auth.close();
    await composer.close();
    await store.close();
  },
});
