import { BaseEnv, port } from '@manifold/platform/config';
import { DEFAULT_PORTS } from '@manifold/platform/contracts';
import { z } from 'zod';

export const SaasSinksEnv = BaseEnv.extend({
  PORT: port(DEFAULT_PORTS['saas-sinks']),
  /** Requests each sink accepts per second before answering 429 + Retry-After (as HubSpot or Slack would). */
  SINKS_RATE_LIMIT_PER_SECOND: z.coerce.number().int().positive().default(100),
  /** Share of requests (0–1) answered with SINKS_FAILURE_STATUS instead of being applied. */
  SINKS_FAILURE_RATIO: z.coerce.number().min(0).max(1).default(0),
  SINKS_FAILURE_STATUS: z.coerce.number().int().min(400).max(599).default(503),
  /** Added before every answer (a slow SaaS). */
  SINKS_LATENCY_MS: z.coerce.number().int().min(0).default(0),
});
export type SaasSinksEnv = z.infer<typeof SaasSinksEnv>;
