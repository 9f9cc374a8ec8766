import { configOrExit, loadEnv } from '@manifold/platform/config';
import { createLogger } from '@manifold/platform/logging';
import { runService } from '@manifold/platform/service';
import { createApp } from './app.ts';
import { SaasSinksEnv } from './config.ts';
import { createSink, SINK_NAMES } from './sinks.ts';

const env = configOrExit(() => loadEnv(SaasSinksEnv));
const logger = createLogger({ service: 'saas-sinks', level: env.LOG_LEVEL });
const sinks = new Map(
  SINK_NAMES.map((name) => [
    name,
    createSink(name, {
      ratePerSecond: env.SINKS_RATE_LIMIT_PER_SECOND,
      failures: {
        ratio: env.SINKS_FAILURE_RATIO,
        status: env.SINKS_FAILURE_STATUS,
        latencyMs: env.SINKS_LATENCY_MS,
      },
    }),
  ]),
);
await runService({
  name: 'saas-sinks',
  handler: createApp({ sinks, logger, production: env.NODE_ENV === 'production' }),
  port: env.PORT,
  host: env.HOST,
  logger,
  graceMs: env.SHUTDOWN_GRACE_MS,
});
