import { pino, type DestinationStream, type Logger } from 'pino';

const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'x-api-key', 'x-manifold-identity'];
const CREDENTIAL_FIELDS = [
  'password',
  'secret',
  'clientSecret',
  'client_secret',
  'apiKey',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
];
/** pino redaction paths: credential headers of a request, credential fields at the top level or one down. */
export const CREDENTIAL_PATHS = [
  ...CREDENTIAL_HEADERS.flatMap((name) => [`req.headers["${name}"]`, `headers["${name}"]`]),
  ...CREDENTIAL_FIELDS.flatMap((field) => [field, `*.${field}`]),
];

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
    // Credentials never reach the logs: every header and field that carries one.
    redact: CREDENTIAL_PATHS,
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
