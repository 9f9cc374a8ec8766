import { createClientCredentials, secretFromEnv } from '@manifold/platform/auth';
import { ConfigError, configOrExit, loadEnv } from '@manifold/platform/config';
import { createLogger } from '@manifold/platform/logging';
import { runService } from '@manifold/platform/service';
import { telemetryEdge } from '@manifold/platform/telemetry';
import { createApp } from './app.ts';
import { ConsoleEnv } from './config.ts';
import { deadLettersPanel } from './panels/dead-letters-panel.ts';
import { failuresPanel } from './panels/failures-panel.ts';
import { servicesPanel } from './panels/services-panel.ts';
import { createScrapeSource } from './sources/scrape-source.ts';
import { createWebhooksClient, withApiKey } from './sources/webhooks-client.ts';

const env = configOrExit(() => loadEnv(ConsoleEnv));
const logger = createLogger({ service: 'console', level: env.LOG_LEVEL });
// The console's own credential for the webhooks API: used server side, never sent to a browser.
const webhooksSend = configOrExit(() => {
  const apiKey = secretFromEnv(process.env, 'CONSOLE_WEBHOOKS_API_KEY');
  const clientSecret = secretFromEnv(process.env, 'CONSOLE_WEBHOOKS_CLIENT_SECRET');
  if (apiKey && clientSecret)
    throw new ConfigError([
      'CONSOLE_WEBHOOKS_API_KEY and CONSOLE_WEBHOOKS_CLIENT_SECRET: one credential for the webhooks API, not both',
    ]);
  if (apiKey) return withApiKey(apiKey);
  if (!clientSecret) return undefined;
  if (!env.CONSOLE_WEBHOOKS_TOKEN_URL)
    throw new ConfigError([
      'CONSOLE_WEBHOOKS_TOKEN_URL: required with CONSOLE_WEBHOOKS_CLIENT_SECRET (the identity provider’s token endpoint)',
    ]);
  const credentials = createClientCredentials({
    tokenUrl: env.CONSOLE_WEBHOOKS_TOKEN_URL,
    clientId: env.CONSOLE_WEBHOOKS_CLIENT_ID,
    clientSecret,
    scope: 'webhooks:read webhooks:replay',
    logger,
  });
  return (url: string, init: RequestInit) => credentials.fetch(url, init);
});
const source = createScrapeSource({
  targets: env.CONSOLE_TARGETS,
  intervalMs: env.CONSOLE_REFRESH_MS,
  windowMs: env.CONSOLE_WINDOW_SECONDS * 1000,
});
await runService({
  name: 'console',
  handler: createApp({
    panels: [
      servicesPanel(source, { windowMinutes: env.CONSOLE_WINDOW_SECONDS / 60 }),
      failuresPanel(source, { traceUrl: env.CONSOLE_TRACE_URL }),
      deadLettersPanel({
        client:
          webhooksSend &&
          createWebhooksClient({ url: env.CONSOLE_WEBHOOKS_URL, send: webhooksSend }),
      }),
    ],
    logger,
    production: env.NODE_ENV === 'production',
    refreshMs: env.CONSOLE_REFRESH_MS,
    edge: [telemetryEdge()],
  }),
  port: env.PORT,
  host: env.HOST,
  logger,
  graceMs: env.SHUTDOWN_GRACE_MS,
  onClose: () => {
    source.stop();
  },
});
