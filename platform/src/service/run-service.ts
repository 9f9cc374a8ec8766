import type { RequestListener, Server } from 'node:http';
import type { Logger } from 'pino';
import { listen } from '../http/listen.ts';
import { shutdownTelemetry } from '../telemetry/runtime.ts';
import { createGracefulShutdown, exitOnSignals } from './shutdown.ts';

export interface RunServiceOptions {
  name: string;
  handler: RequestListener;
  port: number;
  host: string;
  logger: Logger;
  /** @default 10000 (10 s) */
  graceMs?: number;
  /** Releases what the service owns once requests drained. */
  onClose?: () => Promise<void> | void;
}

/**
 * Listens, logs the URL, and on SIGTERM/SIGINT drains in-flight requests before exiting.
 * Called only from a service's main.ts (the one place allowed to open sockets and trap signals).
 */
export async function runService({
  name,
  handler,
  port,
  host,
  logger,
  graceMs,
  onClose,
}: RunServiceOptions): Promise<{ server: Server; url: string }> {
  const { server, url } = await listen(handler, { port, host });
  const shutdown = createGracefulShutdown({
    server,
    logger,
    ...(graceMs === undefined ? {} : { graceMs }),
    onClose: async () => {
      await onClose?.();
      // Last: spans of the requests that drained still go out.
      await shutdownTelemetry();
    },
  });
  exitOnSignals(shutdown, logger);
  logger.info({ url }, `${name} listening`);
  return { server, url };
}
