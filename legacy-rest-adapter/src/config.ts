import { FrontDoorAuthEnv, resourceScopes } from '@manifold/platform/auth';
import { BaseEnv, httpUrl, port } from '@manifold/platform/config';
import { DEFAULT_PORTS } from '@manifold/platform/contracts';
import { WebhooksQueueEnv } from '@manifold/platform/dead-letters';
import { RateLimitEnv } from '@manifold/platform/rate-limit';
import { z } from 'zod';

export const LegacyAdapterEnv = BaseEnv.extend({
  ...FrontDoorAuthEnv.shape,
  ...RateLimitEnv.shape,
  /**
   * The webhooks queue, where a non-idempotent write that failed ambiguously is recorded as a dead
   * letter (for review and one replay). No Redis (nor REDIS_URL): only logged.
   */
  ...WebhooksQueueEnv.shape,
  PORT: port(DEFAULT_PORTS['legacy-rest-adapter']),
  /** The PHP monolith. */
  LEGACY_URL: httpUrl().default('http://127.0.0.1:8080'),
  /** The adapter's service account in the monolith. */
  LEGACY_USER: z.string().min(1).default('api'),
  LEGACY_PASSWORD: z.string().min(1).default('api-secret'),
  /** Per legacy call attempt. */
  LEGACY_TIMEOUT_MS: z.coerce.number().int().positive().default(3_000),
  /**
   * The monolith's published rate limit, for this replica (calls per second); unset = none
   * published. Its 429/503 with Retry-After slow the adapter down either way.
   */
  LEGACY_CALLS_PER_SECOND: z.coerce.number().positive().optional(),
  /** Longest a request waits for its turn at the monolith before answering 503 with Retry-After. */
  LEGACY_WAIT_BUDGET_MS: z.coerce.number().int().nonnegative().default(2_000),
  /** The most of one legacy answer the adapter reads (10 MiB); more is a 502 UPSTREAM_RESPONSE_TOO_LARGE. */
  LEGACY_MAX_RESPONSE_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(10 * 1024 * 1024),
  /** When v1 stops answering (its Sunset header), if not the version table's date (src/api-versions.ts). */
  V1_SUNSET: z.iso.date().optional(),
});
export type LegacyAdapterEnv = z.infer<typeof LegacyAdapterEnv>;

/**
 * Who may call what (the edge enforces it, /openapi.json says it): `/api/…/<resource>` needs
 * `<resource>:read` to read and `<resource>:write` to change; health and docs are public.
 */
export const accessScopes = resourceScopes();
