import { pino, type DestinationStream, type Logger } from 'pino';

export interface LoggerOptions {
  /** Service name stamped on every line. */
  service: string;
  /** @default 'info' */
  level?: string;
  /** Where lines go. @default stdout */
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
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger } from 'pino';
