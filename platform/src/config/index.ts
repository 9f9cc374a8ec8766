import { z } from 'zod';

export { followFile, type FileReload } from './file-changes.ts';

/**
 * Variables every service understands. Each service extends this schema with its own
 * (`BaseEnv.extend({...})`) and lists them in .env.example.
 */
export const BaseEnv = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  /** Interface to bind; 0.0.0.0 in containers. */
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Shared cache; unset = in-memory cache per process. */
  REDIS_URL: z.url().optional(),
  /** How long SIGTERM waits for in-flight requests before forcing exit. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().nonnegative().default(10_000),
  /** Largest request head (request line + headers) in bytes; larger: 431 HEADERS_TOO_LARGE. */
  HTTP_MAX_HEADER_BYTES: z.coerce.number().int().min(1_024).default(16_384),
  /** Time for a request's headers to arrive (slow-loris); later: 408 REQUEST_TIMEOUT. */
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** Time for a whole request, body included, to arrive; later: 408 REQUEST_TIMEOUT. */
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /** Idle keep-alive connections are closed after this (above load balancers' 60 s). */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().positive().default(65_000),
  /** Largest request body in bytes (gateway and REST facades); larger: 413 PAYLOAD_TOO_LARGE. Unset = the service's own default. */
  HTTP_BODY_LIMIT_BYTES: z.coerce.number().int().positive().optional(),
});
export type BaseEnv = z.infer<typeof BaseEnv>;

/** A configuration an operator must fix (not a bug): every problem found, one per line. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `✖ ${problem}`).join('\n')}`);
    this.problems = problems;
  }
}

/** What to log of a failed load: a ConfigError's problems, anything else as text. */
export const problemsOf = (error: unknown): readonly string[] | string =>
  error instanceof ConfigError ? error.problems : String(error);

/** The problems of a failed parse, as `VARIABLE: what is wrong`. */
function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) =>
    issue.path.length === 0 ? issue.message : `${issue.path.join('.')}: ${issue.message}`,
  );
}

/**
 * Parses `source` against `schema`, once, at start-up. A bad or missing variable throws one
 * ConfigError that lists every problem, so an operator fixes them all in one go.
 */
export function loadEnv<Schema extends z.ZodType>(
  schema: Schema,
  source: Readonly<Record<string, string | undefined>> = process.env,
): z.infer<Schema> {
  // An empty string means "not set" (docker-compose and .env files produce them).
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error));
  return parsed.data;
}

/**
 * For `main.ts`: runs `load` (sync or async); a ConfigError is printed as it is — every problem, no stack trace —
 * and the process exits with status 1 before it opens a socket. Anything else is a bug and throws.
 */
export function configOrExit<T>(load: () => T): T {
  const exit = (error: unknown): never => {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  };
  try {
    const result = load();
    // An async load (reading WSDLs, say) reports the same way when its promise rejects.
    return (result instanceof Promise ? result.catch(exit) : result) as T;
  } catch (error) {
    return exit(error);
  }
}

/** A PORT variable, defaulting to the service's port in the topology (0 = any free port). */
export const port = (defaultPort: number) =>
  z.coerce.number().int().min(0).max(65_535).default(defaultPort);

/** A comma-separated list (`a, b,c`), empty entries dropped; unset = empty. */
export const commaList = () =>
  z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== ''),
    );

/** A URL variable that must be http(s). */
export const httpUrl = () => z.url({ protocol: /^https?$/ });
