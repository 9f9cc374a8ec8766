import { z } from 'zod';
import type { AccessPolicy } from '../auth/access-file.ts';
import { ConfigError } from '../config/index.ts';
import type { RateLimitPolicy } from './limiter.ts';

const Limit = z.strictObject({
  /** Names the limit in the RateLimit headers and metrics; unique within a tier. */
  name: z.string().regex(/^[A-Za-z0-9][\w.-]*$/, 'letters, digits, _ . - (a header token)'),
  /** Requests allowed per window. */
  requests: z.number().int().positive(),
  windowSeconds: z.number().int().positive(),
});

/** `POST /api/v1/supplier/PlaceSupplierOrder`, `* /api/v2/tickets`: a method (or *) and a path prefix. */
const ROUTE = /^(\*|[A-Z]+) (\/\S*)$/;
/** `Mutation.placeOrder`: a root field's schema coordinate. */
const COORDINATE = /^[A-Za-z_]\w*\.[A-Za-z_]\w*$/;

/**
 * A tier's rate limits, as the access file writes them under `tiers.<tier>`. Other settings of a
 * tier sit beside these and are read by what they concern.
 *
 *   partner:
 *     rateLimits:                       # every request to a limited route counts against each
 *       - { name: partner-burst, requests: 50, windowSeconds: 1 }
 *       - { name: partner, requests: 3000, windowSeconds: 60 }
 *     routes:                           # REST: extra limits for a method + path prefix
 *       "POST /api/v1/supplier/PlaceSupplierOrder": [{ name: partner-orders, requests: 30, windowSeconds: 60 }]
 *     operations:                       # GraphQL: extra limits for an operation selecting a root field
 *       "Mutation.placeOrder": [{ name: partner-place-order, requests: 30, windowSeconds: 60 }]
 *     graphqlCost:                      # GraphQL: static cost the tier may spend per minute
 *       budgetPerMinute: 500000         # (unset: the gateway's GRAPHQL_COST_BUDGET_PER_MINUTE; 0: none)
 */
export const TierRateLimits = z.object({
  rateLimits: z.array(Limit).default([]),
  routes: z
    .record(z.string().regex(ROUTE, 'METHOD /path (or * /path)'), z.array(Limit))
    .default({}),
  operations: z
    .record(
      z.string().regex(COORDINATE, 'a root field such as Mutation.placeOrder'),
      z.array(Limit),
    )
    .default({}),
  /**
   * The gateway's per-client cost budget for this tier (checked and reloaded here with the
   * request limits, applied by the gateway).
   */
  graphqlCost: z
    .strictObject({
      /** Static cost (`@cost`/`@listSize`) a client may spend per minute; 0 = no budget. */
      budgetPerMinute: z.number().int().min(0),
    })
    .optional(),
});

interface RouteLimits {
  method: string;
  prefix: string;
  policies: readonly RateLimitPolicy[];
}

/** One tier's limits, ready for the hot path. */
export interface CompiledTier {
  /** Every limited request counts against these. */
  readonly base: readonly RateLimitPolicy[];
  /** The extra limits of the most specific route matching, if any. */
  readonly route: (method: string, path: string) => readonly RateLimitPolicy[];
  /** Extra limits per root field coordinate (GraphQL). */
  readonly operations: ReadonlyMap<string, readonly RateLimitPolicy[]>;
  /** The tier's GraphQL cost budget per minute (0: none); undefined = the gateway's default. */
  readonly graphqlCostBudgetPerMinute: number | undefined;
}

const toPolicy = (limit: z.infer<typeof Limit>): RateLimitPolicy => ({
  name: limit.name,
  points: limit.requests,
  windowSeconds: limit.windowSeconds,
});

const underPrefix = (path: string, prefix: string) =>
  prefix === '/' ||
  path === prefix ||
  path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);

function compileTier(settings: z.infer<typeof TierRateLimits>): CompiledTier {
  const routes: RouteLimits[] = Object.entries(settings.routes)
    .map(([route, limits]) => {
      const [, method = '*', prefix = '/'] = ROUTE.exec(route) ?? [];
      return { method, prefix, policies: limits.map(toPolicy) };
    })
    // Longest prefix first: the most specific route wins.
    .sort((a, b) => b.prefix.length - a.prefix.length);
  return {
    base: settings.rateLimits.map(toPolicy),
    route: (method, path) =>
      routes.find(
        (entry) =>
          (entry.method === '*' || entry.method === method) && underPrefix(path, entry.prefix),
      )?.policies ?? [],
    operations: new Map(
      Object.entries(settings.operations).map(([coordinate, limits]) => [
        coordinate,
        limits.map(toPolicy),
      ]),
    ),
    graphqlCostBudgetPerMinute: settings.graphqlCost?.budgetPerMinute,
  };
}

function duplicateNames(tier: string, settings: z.infer<typeof TierRateLimits>): string[] {
  const all = [
    ...settings.rateLimits,
    ...Object.values(settings.routes).flat(),
    ...Object.values(settings.operations).flat(),
  ];
  const seen = new Map<string, string>();
  const problems: string[] = [];
  for (const limit of all) {
    const shape = `${limit.requests}/${limit.windowSeconds}`;
    const before = seen.get(limit.name);
    // One name, one counter: the same name with another quota would share a count it cannot mean.
    if (before !== undefined && before !== shape)
      problems.push(`tiers.${tier}: two limits named "${limit.name}" with different quotas`);
    seen.set(limit.name, shape);
  }
  return problems;
}

/** Every tier's limits, checked; a problem anywhere is a ConfigError listing them all. */
export function compileTierLimits(policy: AccessPolicy): ReadonlyMap<string, CompiledTier> {
  const tiers = new Map<string, CompiledTier>();
  const problems: string[] = [];
  for (const [tier, settings] of Object.entries(policy.tiers)) {
    const parsed = TierRateLimits.safeParse(settings);
    if (!parsed.success) {
      problems.push(
        ...parsed.error.issues.map(
          (issue) => `tiers.${tier}.${issue.path.join('.')}: ${issue.message}`,
        ),
      );
      continue;
    }
    problems.push(...duplicateNames(tier, parsed.data));
    tiers.set(tier, compileTier(parsed.data));
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return tiers;
}
