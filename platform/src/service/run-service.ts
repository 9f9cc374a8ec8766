import type { RequestListener, Server } from 'node:http';
import type { Logger } from 'pino';
import { listen, type ListenTls } from '../http/listen.ts';
import type { HttpServerLimits } from '../http/server-limits.ts';
import { passOwnedRequestsThrough } from '../telemetry/own-server-spans.ts';
import { shutdownTelemetry } from '../telemetry/runtime.ts';
import { exitOnSignals } from './exit-on-signals.ts';
import { createGracefulShutdown } from './shutdown.ts';

export interface RunServiceOptions {
  name: string;
  handler: RequestListener;
  port: number;
  host: string;
  logger: Logger;
  /** How long in-flight requests may take to finish once shutdown begins. @default 10000 (10 s) */
  graceMs?: number;
  /** Releases what the service owns once requests drained. */
  onClose?: () => Promise<void> | void;
  /** Time `onClose` gets once requests drained; past grace + this, the process exits anyway. @default CLOSE_BUDGET_MS */
  closeBudgetMs?: number;
  /** Serve HTTPS (mutual TLS with a client CA). @default plain HTTP */
  tls?: ListenTls | undefined;
  /** Header size, header/request/keep-alive timeouts, body size (`httpServerLimits(env)`). @default HttpServerLimits' defaults */
  limits?: HttpServerLimits | undefined;
}

export const CLOSE_BUDGET_MS = 5_000;

/**
 * Listens, logs the URL, and on SIGTERM/SIGINT — or when the supervisor that started it with an
 * IPC channel (`npm start`) is gone — drains in-flight requests, closes what it owns and exits,
 * within `graceMs` + `closeBudgetMs` whatever happens.
 * Called only from a service's main.ts (the one place allowed to open sockets and trap signals).
 */
export async function runService({
  name,
  handler,
  port,
  host,
  logger,
  graceMs = 10_000,
  onClose,
  closeBudgetMs = CLOSE_BUDGET_MS,
  tls,
  limits,
}: RunServiceOptions): Promise<{ server: Server; url: string }> {
  const { server, url } = await listen(handler, { port, host, tls, limits });
  passOwnedRequestsThrough(server);
  const shutdown = createGracefulShutdown({
    server,
    logger,
    graceMs,
    onClose: async () => {
      await onClose?.();
      // Last: spans of the requests that drained still go out.
      await shutdownTelemetry();
    },
  });
  exitOnSignals(shutdown, logger, { deadlineMs: graceMs + closeBudgetMs });
  logger.info({ url }, `${name} listening`);
  return { server, url };
}
