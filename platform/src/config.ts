import { z } from 'zod';

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
});
export type BaseEnv = z.infer<typeof BaseEnv>;

/**
 * Parses `source` against `schema`, once, at start-up. A bad or missing variable throws one
 * error that lists every problem, so an operator fixes them all in one go.
 */
export function loadEnv<Schema extends z.ZodType>(
  schema: Schema,
  source: Readonly<Record<string, string | undefined>> = process.env,
): z.infer<Schema> {
  // An empty string means "not set" (docker-compose and .env files produce them).
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) throw new Error(`Invalid environment:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** A URL variable that must be http(s). */
export const httpUrl = () => z.url({ protocol: /^https?$/ });
