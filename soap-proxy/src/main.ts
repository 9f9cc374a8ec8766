import { createCache } from '@manifold/platform/cache';
import { configOrExit, loadEnv } from '@manifold/platform/config';
import { createLogger } from '@manifold/platform/logger';
import { runService } from '@manifold/platform/run-service';
import { createApp } from './app.ts';
import { loadProxyConfig, SoapProxyEnv } from './config.ts';
import { loadSoapServices } from './services/load-services.ts';

const env = configOrExit(() => loadEnv(SoapProxyEnv));
const logger = createLogger({ service: 'soap-proxy', level: env.LOG_LEVEL });
let services;
try {
  services = await loadSoapServices(loadProxyConfig(env.SOAP_PROXY_CONFIG), logger);
} catch (error) {
  // A configuration or WSDL problem, not a bug: say what is wrong, no stack trace.
  logger.fatal((error as Error).message);
  process.exit(1);
}
const cache = createCache({ namespace: 'soap-proxy', redisUrl: env.REDIS_URL, logger });
await runService({
  name: 'soap-proxy',
  handler: createApp({ services, cache, logger, production: env.NODE_ENV === 'production' }),
  port: env.PORT,
  host: env.HOST,
  logger,
  graceMs: env.SHUTDOWN_GRACE_MS,
  onClose: async () => {
    for (const service of services) service.policy.dispose();
    await cache.disconnect();
  },
});
