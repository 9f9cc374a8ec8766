import { pino, type DestinationStream, type Logger } from 'pino';

export interface LoggerOptions {
  /** Service name stamped on every line. */
  service: string;
  /** @default 'info' */
  level?: string;
  /** Where lines go. @default stdout, synchronously */
  destination?: DestinationStream;
}

/** One pino logger per process; the same instance is Apollo's `logger`. */
export function createLogger({ service, level = 'info', destination }: LoggerOptions): Logger {
  const options = {
    level,
    base: { service },
    // Credentials never reach the logs.
    redact: [
      'req.headers.authorization',
      'req.headers.cookie',
      'headers.authorization',
      'headers.cookie',
    ],
  };
  return pino(options, destination ?? stdoutDestination());
}

/**
 * stdout, written synchronously. pino's default (asynchronous) destination flushes at exit and,
 * if stdout is a pipe whose reader is gone (a supervisor killed), retries the write forever:
 * the process hangs in its exit handler and no later SIGTERM can end it. A synchronous write
 * fails once with EPIPE instead, after which pino drops the lines and the process exits.
 */
function stdoutDestination(): DestinationStream {
  return pino.destination({ dest: 1, sync: true });
}

export type { Logger } from 'pino';
