import { fileURLToPath } from 'node:url';
import { createClientCredentials, FrontDoorAuthEnv, secretFromEnv } from '@manifold/platform/auth';
import { BaseEnv, commaList, ConfigError, httpUrl, port } from '@manifold/platform/config';
import { DEFAULT_PORTS, defaultUrl } from '@manifold/platform/contracts';
import { WebhooksQueueEnv } from '@manifold/platform/dead-letters';
import type { Logger } from '@manifold/platform/logging';
import { z } from 'zod';
import type { ReplayCredential, ReplayTargets } from './delivery/replay-targets.ts';
import { parseRetrySchedule } from './delivery/retry-schedule.ts';

/** The longest a destination's Retry-After is waited for, by its delivery or by a hold (1 h). */
export const DEFAULT_MAX_RETRY_AFTER_MS = 3_600_000;

export const WebhooksEnv = BaseEnv.extend({
  ...FrontDoorAuthEnv.shape,
  ...WebhooksQueueEnv.shape,
  PORT: port(DEFAULT_PORTS.webhooks),
  /** Sources, secrets' variable names, destinations and routes. */
  WEBHOOKS_FILE: z
    .string()
    .min(1)
    .default(fileURLToPath(new URL('../../deploy/webhooks.yaml', import.meta.url))),
  /** Delays before each retry (the cap of each full-jitter draw), comma-separated: `1s,5s,30s,2m`. */
  WEBHOOKS_RETRY_SCHEDULE: commaList().pipe(
    z.array(z.string()).transform((items, context) => {
      try {
        return parseRetrySchedule(items.length > 0 ? items : ['1s', '5s', '30s', '2m', '10m']);
      } catch (error) {
        context.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  ),
  /** Longest Retry-After a destination may ask for; longer ones are cut to this. */
  WEBHOOKS_MAX_RETRY_AFTER_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(DEFAULT_MAX_RETRY_AFTER_MS),
  /** Run the fan-out and delivery workers in this process (off: `webhooks/src/worker.ts` processes run them). */
  WEBHOOKS_WORKERS: z.stringbool().default(true),
  /** Deliveries in flight per worker process. */
  WEBHOOKS_CONCURRENCY: z.coerce.number().int().positive().default(50),
  /** How long a worker holds a job before another may take it over (a killed worker's jobs wait this long). */
  WEBHOOKS_LOCK_MS: z.coerce.number().int().positive().default(30_000),
  /**
   * Replicas that must have an event before it is acknowledged (Redis WAIT; 0: the answering
   * server's AOF is enough). A single Redis only, not with WEBHOOKS_REDIS_CLUSTER.
   */
  WEBHOOKS_ACK_REPLICAS: z.coerce.number().int().min(0).default(0),
  /** How long an event waits for those replicas before it is refused (503, the sender retries). */
  WEBHOOKS_ACK_REPLICAS_TIMEOUT_MS: z.coerce.number().int().positive().default(1_000),
  /** How long an accepted event's id is remembered: a sender's retry within it is a duplicate. */
  WEBHOOKS_DEDUPE_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(7 * 24 * 3600),
  /** A registered endpoint is disabled after this many dead letters in a row (no success between). */
  WEBHOOKS_ENDPOINT_DISABLE_AFTER_DEAD_LETTERS: z.coerce.number().int().positive().default(20),
  /** … or after this many hours of only failures, whichever comes first (default 5 days). */
  WEBHOOKS_ENDPOINT_DISABLE_AFTER_HOURS: z.coerce.number().positive().default(120),
  /**
   * The legacy adapter, through which its recorded writes (dead letters of source
   * legacy-rest-adapter) are replayed: the monolith needs the adapter's session and CSRF token.
   */
  WEBHOOKS_LEGACY_ADAPTER_URL: httpUrl().default(defaultUrl('legacy-rest-adapter')),
  /**
   * The replay's credential at the adapter, which wants `tickets:write`: an API key (the access
   * file's `webhooks-replay` client: `npm run access -- create-key --client webhooks-replay`), or
   * `…_FILE`, a file holding it; or client credentials (below), as `npm start` sets them. Neither:
   * such a replay is not sent, and the dead letter stays replayable. Both: a config error.
   */
  WEBHOOKS_LEGACY_ADAPTER_API_KEY: z.string().min(1).optional(),
  WEBHOOKS_LEGACY_ADAPTER_API_KEY_FILE: z.string().min(1).optional(),
  /** The identity provider's token endpoint, for a bearer token by client credentials. */
  WEBHOOKS_LEGACY_ADAPTER_TOKEN_URL: httpUrl().optional(),
  /** The identity provider's client for the replay (the reference provider's `webhooks-replay`). */
  WEBHOOKS_LEGACY_ADAPTER_CLIENT_ID: z.string().min(1).default('webhooks-replay'),
  /** Its secret, or `…_FILE`, a file holding it (the reference provider writes one per client). */
  WEBHOOKS_LEGACY_ADAPTER_CLIENT_SECRET: z.string().min(1).optional(),
  WEBHOOKS_LEGACY_ADAPTER_CLIENT_SECRET_FILE: z.string().min(1).optional(),
});
export type WebhooksEnv = z.infer<typeof WebhooksEnv>;

/** The queue's Redis: WEBHOOKS_REDIS_URL, else REDIS_URL. */
export const queueRedisUrl = (env: Pick<WebhooksEnv, 'WEBHOOKS_REDIS_URL' | 'REDIS_URL'>) =>
  env.WEBHOOKS_REDIS_URL ?? env.REDIS_URL;

/**
 * Who may call what: `/hooks/…` is public (each request carries its sender's signature, checked
 * per source); reading deliveries and dead letters needs `webhooks:read`, replaying `webhooks:replay`.
 */
export function accessScopes(method: string, path: string): 'public' | readonly string[] {
  if (!path.startsWith('/api/')) return 'public';
  const reads = method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
  return reads ? ['webhooks:read'] : ['webhooks:replay'];
}

/** The scope the adapter asks of a write to /api/…/tickets (its resourceScopes): all a replay does. */
const LEGACY_ADAPTER_REPLAY_SCOPE = 'tickets:write';

/**
 * The replay's credential at the legacy adapter: an API key, or client credentials (one of them,
 * as the console's for the webhooks API), or none. Throws ConfigError when both are set, or a
 * client secret comes without its token URL.
 */
export function legacyAdapterCredential(
  env: WebhooksEnv,
  logger: Logger,
): ReplayCredential | undefined {
  const apiKey = secretFromEnv(env, 'WEBHOOKS_LEGACY_ADAPTER_API_KEY');
  const clientSecret = secretFromEnv(env, 'WEBHOOKS_LEGACY_ADAPTER_CLIENT_SECRET');
  if (apiKey && clientSecret)
    throw new ConfigError([
      'WEBHOOKS_LEGACY_ADAPTER_API_KEY and WEBHOOKS_LEGACY_ADAPTER_CLIENT_SECRET: one credential for the legacy adapter, not both',
    ]);
  if (apiKey) return { apiKey };
  if (!clientSecret) return undefined;
  if (!env.WEBHOOKS_LEGACY_ADAPTER_TOKEN_URL)
    throw new ConfigError([
      'WEBHOOKS_LEGACY_ADAPTER_TOKEN_URL: required with WEBHOOKS_LEGACY_ADAPTER_CLIENT_SECRET (the identity provider’s token endpoint)',
    ]);
  return {
    bearer: createClientCredentials({
      tokenUrl: env.WEBHOOKS_LEGACY_ADAPTER_TOKEN_URL,
      clientId: env.WEBHOOKS_LEGACY_ADAPTER_CLIENT_ID,
      clientSecret,
      scope: LEGACY_ADAPTER_REPLAY_SCOPE,
      logger,
    }),
  };
}

/** The services whose recorded requests are replayed through them, with their credential. */
export const replayTargetsFromEnv = (env: WebhooksEnv, logger: Logger): ReplayTargets => ({
  'legacy-rest-adapter': {
    baseUrl: env.WEBHOOKS_LEGACY_ADAPTER_URL,
    credential: legacyAdapterCredential(env, logger),
    credentialHint:
      'set WEBHOOKS_LEGACY_ADAPTER_API_KEY or its _FILE, or client credentials: WEBHOOKS_LEGACY_ADAPTER_TOKEN_URL with WEBHOOKS_LEGACY_ADAPTER_CLIENT_SECRET or its _FILE',
  },
});
