import type { Server } from 'node:http';
import type { Logger } from 'pino';

export interface GracefulShutdownOptions {
  server: Server;
  logger: Logger;
  /** Longest wait for in-flight requests before connections are cut. @default 10000 (10 s) */
  graceMs?: number;
  /** Closes what the service owns after the server drained (Apollo, caches, databases). */
  onClose?: () => Promise<void> | void;
}

/**
 * Stops accepting connections, lets in-flight requests finish (up to `graceMs`), then closes
 * resources. Idle keep-alive sockets are closed at once so clients reconnect elsewhere.
 * Returns a function that runs the sequence once, whoever calls it first.
 */
export function createGracefulShutdown({
  server,
  logger,
  graceMs = 10_000,
  onClose,
}: GracefulShutdownOptions) {
  let closing: Promise<void> | undefined;
  return (reason: string): Promise<void> => {
    closing ??= (async () => {
      logger.info({ reason, graceMs }, 'shutting down: draining in-flight requests');
      const drained = new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
      // close() only drops sockets idle right now; a keep-alive socket whose request finishes
      // later would hold the server open until the grace period ends. Sweep them as they idle.
      server.closeIdleConnections();
      const sweeper = setInterval(() => {
        server.closeIdleConnections();
      }, 50);
      const timer = setTimeout(() => {
        logger.warn('grace period over: closing remaining connections');
        server.closeAllConnections();
      }, graceMs);
      sweeper.unref();
      timer.unref();
      await drained;
      clearInterval(sweeper);
      clearTimeout(timer);
      await onClose?.();
      logger.info('shutdown complete');
    })();
    return closing;
  };
}
