import type { RequestListener, Server } from 'node:http';
import type { Logger } from 'pino';
import { listen, type ListenTls } from '../http/listen.ts';
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
  /** Serve HTTPS (mutual TLS with a client CA). @default plain HTTP */
  tls?: ListenTls | undefined;
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
  tls,
}: RunServiceOptions): Promise<{ server: Server; url: string }> {
  const { server, url } = await listen(handler, { port, host, tls });
  const shutdown = createGracefulShutdown({
    server,
    logger,
    ...(graceMs === undefined ? {} : { graceMs }),
    ...(onClose ? { onClose } : {}),
  });
  exitOnSignals(shutdown, logger);
  logger.info({ url }, `${name} listening`);
  return { server, url };
}
