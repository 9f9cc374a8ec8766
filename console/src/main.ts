import { secretFromEnv } from '@manifold/platform/auth';
import { configOrExit, loadEnv } from '@manifold/platform/config';
import { createLogger } from '@manifold/platform/logging';
import { runService } from '@manifold/platform/service';
import { telemetryEdge } from '@manifold/platform/telemetry';
import { createApp } from './app.ts';
import { ConsoleEnv } from './config.ts';
import { deadLettersPanel } from './panels/dead-letters-panel.ts';
import { failuresPanel } from './panels/failures-panel.ts';
import { servicesPanel } from './panels/services-panel.ts';
import { createScrapeSource } from './sources/scrape-source.ts';
import { createWebhooksClient } from './sources/webhooks-client.ts';

const env = configOrExit(() => loadEnv(ConsoleEnv));
// The console's own credential for the webhooks API: used server side, never sent to a browser.
const webhooksKey = configOrExit(() => secretFromEnv(process.env, 'CONSOLE_WEBHOOKS_API_KEY'));
const logger = createLogger({ service: 'console', level: env.LOG_LEVEL });
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
          webhooksKey &&
          createWebhooksClient({ url: env.CONSOLE_WEBHOOKS_URL, apiKey: webhooksKey }),
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
