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
  /** Where lines go. @default stdout */
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
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger } from 'pino';
