import { fileURLToPath } from 'node:url';
import { FrontDoorAuthEnv, GatewayIdentityEnv } from '@manifold/platform/auth';
import { BaseEnv, commaList, ConfigError, httpUrl, port } from '@manifold/platform/config';
import { RateLimitEnv } from '@manifold/platform/rate-limit';
import { DEFAULT_PORTS, Header, SUBGRAPH_REQUEST_LIMIT_BYTES } from '@manifold/platform/contracts';
import { z } from 'zod';
import { DEFAULT_OPERATION_LIMITS } from './limits/limits.ts';

/** Headers the gateway itself sets towards subgraphs, which a client can never supply. */
const limit = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const GATEWAY_OWNED_HEADERS: readonly string[] = [
  Header.identity,
  Header.requestId,
  'host',
  'content-length',
  'content-type',
  'connection',
  'transfer-encoding',
];

export const GatewayEnv = BaseEnv.extend({
  ...FrontDoorAuthEnv.shape,
  ...GatewayIdentityEnv.shape,
  ...RateLimitEnv.shape,
  PORT: port(DEFAULT_PORTS.gateway),
  /** Any Federation 2 supergraph; ours is composed by `npm run compose`. */
  SUPERGRAPH_PATH: z
    .string()
    .min(1)
    .default(fileURLToPath(new URL('../../schema/supergraph.graphql', import.meta.url))),
  /**
   * Follow the schema registry at this URL (e.g. http://127.0.0.1:4400) instead of reading
   * SUPERGRAPH_PATH: new supergraph versions are loaded and swapped in while serving.
   */
  SUPERGRAPH_SOURCE: httpUrl().optional(),
  /** The registry API key (scope `registry:read`); or `SUPERGRAPH_SOURCE_API_KEY_FILE`, re-read when it changes. */
  SUPERGRAPH_SOURCE_API_KEY: z.string().min(1).optional(),
  SUPERGRAPH_SOURCE_API_KEY_FILE: z.string().min(1).optional(),
  /**
   * With SUPERGRAPH_SOURCE: where the last supergraph that loaded is kept, to start from when the
   * registry cannot be reached.
   */
  SUPERGRAPH_LAST_GOOD_PATH: z
    .string()
    .min(1)
    .default(
      fileURLToPath(new URL('../../.data/gateway/last-good-supergraph.json', import.meta.url)),
    ),
  /**
   * Report which fields and arguments operations use to the schema registry at this URL (its
   * checks refuse breaking changes to what clients use). Unset: no usage reporting.
   */
  USAGE_REPORTING_URL: httpUrl().optional(),
  /** API key with scope `registry:report` (or `_FILE`); unset: SUPERGRAPH_SOURCE_API_KEY's. */
  USAGE_REPORTING_API_KEY: z.string().min(1).optional(),
  USAGE_REPORTING_API_KEY_FILE: z.string().min(1).optional(),
  /** How often usage counts are sent to the registry. */
  USAGE_REPORTING_INTERVAL_MS: z.coerce.number().int().min(100).default(10_000),
  /** Most distinct (hour, operation, client) counts held between two reports; more are dropped and counted. */
  USAGE_REPORTING_MAX_ENTRIES: z.coerce.number().int().positive().default(10_000),
  /** Longest wait for one attempt of a subgraph fetch; `SUBGRAPH_<NAME>_TIMEOUT_MS` sets one subgraph's. */
  SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** Attempts in all for a subgraph read after a transient failure (never a mutation, never after a timeout); 1 = no retries. */
  SUBGRAPH_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  /** Consecutive failed fetches that open a subgraph's circuit (its fields then fail fast). */
  SUBGRAPH_BREAKER_THRESHOLD: z.coerce.number().int().positive().default(5),
  /** How long an open circuit fails fast before one probe fetch is let through. */
  SUBGRAPH_BREAKER_HALF_OPEN_MS: z.coerce.number().int().positive().default(10_000),
  /** Identical subgraph reads in flight (same query, variables, headers, caller) share one fetch. */
  SUBGRAPH_DEDUPLICATION: z.stringbool().default(true),
  /** Largest `variables` of one GraphQL operation, as JSON (bytes); larger: 413 VARIABLES_TOO_LARGE. */
  GRAPHQL_MAX_VARIABLES_BYTES: z.coerce.number().int().positive().default(65_536),
  /** Longest wait for each subgraph's answer to a /readyz probe. */
  READINESS_TIMEOUT_MS: z.coerce.number().int().positive().default(2_000),
  /**
   * Largest request body the subgraphs accept (ours: 1 MiB); larger entity fetches are split to
   * fit. Lower it for subgraphs with a smaller limit (express.json's default is 100 kB).
   */
  SUBGRAPH_MAX_REQUEST_BYTES: z.coerce
    .number()
    .int()
    .min(16_384)
    .default(SUBGRAPH_REQUEST_LIMIT_BYTES),
  /** Browser origins allowed to call /graphql (comma-separated, `*` for any); unset = none. */
  CORS_ALLOWED_ORIGINS: commaList(),
  /**
   * Client headers sent on to every subgraph (comma-separated; e.g. `accept-language`), as
   * Apollo Router's header propagation. Nothing else a client sends reaches a subgraph.
   */
  PROPAGATE_HEADERS: commaList()
    .transform((names) => names.map((name) => name.toLowerCase()))
    .refine((names) => names.every((name) => !GATEWAY_OWNED_HEADERS.includes(name)), {
      message: `the gateway sets ${GATEWAY_OWNED_HEADERS.join(', ')} itself; they cannot be propagated`,
    }),
  /**
   * Operation limits, checked before any subgraph is called: `enforce` refuses with
   * OPERATION_LIMIT_EXCEEDED, `measure` only logs what it would refuse (to tune limits on real
   * traffic), `off` skips them.
   */
  GRAPHQL_OPERATION_LIMITS: z.enum(['enforce', 'measure', 'off']).default('enforce'),
  /** Lexical tokens in a document; the parser stops past it. */
  GRAPHQL_MAX_TOKENS: limit(DEFAULT_OPERATION_LIMITS.maxTokens),
  /** Deepest field nesting. */
  GRAPHQL_MAX_DEPTH: limit(DEFAULT_OPERATION_LIMITS.maxDepth),
  /** Aliased fields in an operation (fragments expanded). */
  GRAPHQL_MAX_ALIASES: limit(DEFAULT_OPERATION_LIMITS.maxAliases),
  /** Fields of the root type in an operation. */
  GRAPHQL_MAX_ROOT_FIELDS: limit(DEFAULT_OPERATION_LIMITS.maxRootFields),
  /** Directives applied in an operation. */
  GRAPHQL_MAX_DIRECTIVES: limit(DEFAULT_OPERATION_LIMITS.maxDirectives),
  /** Fields in an operation once its fragments are expanded. */
  GRAPHQL_MAX_FIELDS: limit(DEFAULT_OPERATION_LIMITS.maxFields),
  /** Static cost of an operation, from the supergraph's @cost / @listSize. */
  GRAPHQL_MAX_COST: limit(DEFAULT_OPERATION_LIMITS.maxCost),
  /** Items assumed in a list that no slicing argument or @listSize sizes. */
  GRAPHQL_ASSUMED_LIST_SIZE: limit(DEFAULT_OPERATION_LIMITS.assumedListSize),
  /**
   * Static cost each client may spend per minute, for the tiers that set no
   * `graphqlCost.budgetPerMinute` in the access file (counted with the rate limits, so only when
   * they are on); 0 = no budget. At least GRAPHQL_MAX_COST, or the costliest operations allowed
   * could never run.
   */
  GRAPHQL_COST_BUDGET_PER_MINUTE: z.coerce.number().int().min(0).default(150_000),
  /**
   * Operations first-party apps registered (`npm run trusted-documents -- add <manifest>`),
   * run by `documentId` or APQ hash; reloaded when it changes.
   */
  TRUSTED_DOCUMENTS_PATH: z
    .string()
    .min(1)
    .default(fileURLToPath(new URL('../../deploy/trusted-documents.json', import.meta.url))),
  /**
   * Clients that may run registered operations only (comma-separated client ids from the access
   * file; `anonymous` for callers without credentials; `*` for all). Empty: every client may also
   * send ad-hoc queries and APQ.
   */
  TRUSTED_DOCUMENTS_ONLY_CLIENTS: commaList(),
});
export type GatewayEnv = z.infer<typeof GatewayEnv>;

/** The operation limits the environment sets; undefined when they are off. */
export function operationLimitsFromEnv(env: GatewayEnv) {
  if (env.GRAPHQL_OPERATION_LIMITS === 'off') return undefined;
  const budget = env.GRAPHQL_COST_BUDGET_PER_MINUTE;
  if (budget > 0 && budget < env.GRAPHQL_MAX_COST)
    throw new ConfigError([
      `GRAPHQL_COST_BUDGET_PER_MINUTE (${budget}) is below GRAPHQL_MAX_COST (${env.GRAPHQL_MAX_COST}): the costliest operations allowed could never run; raise it, or 0 for no budget`,
    ]);
  return {
    mode: env.GRAPHQL_OPERATION_LIMITS,
    costBudgetPerMinute: budget,
    limits: {
      maxTokens: env.GRAPHQL_MAX_TOKENS,
      maxDepth: env.GRAPHQL_MAX_DEPTH,
      maxAliases: env.GRAPHQL_MAX_ALIASES,
      maxRootFields: env.GRAPHQL_MAX_ROOT_FIELDS,
      maxDirectives: env.GRAPHQL_MAX_DIRECTIVES,
      maxFields: env.GRAPHQL_MAX_FIELDS,
      maxCost: env.GRAPHQL_MAX_COST,
      assumedListSize: env.GRAPHQL_ASSUMED_LIST_SIZE,
    },
  } as const;
}

/** The gateway's request body limit unless HTTP_BODY_LIMIT_BYTES says otherwise. */
export const GATEWAY_BODY_LIMIT_BYTES = 1_048_576; // 1 MiB

/** `SUBGRAPH_<NAME>_TIMEOUT_MS` sets one subgraph's attempt timeout (NAME as in SUBGRAPH_<NAME>_URL). */
const SUBGRAPH_TIMEOUT_VARIABLE = /^SUBGRAPH_([A-Z0-9_]+)_TIMEOUT_MS$/;

function subgraphTimeoutVariable(subgraphName: string): string {
  return `SUBGRAPH_${subgraphName.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_TIMEOUT_MS`;
}

/**
 * Each subgraph's attempt timeout, by subgraph name: `SUBGRAPH_<NAME>_TIMEOUT_MS` where set. A
 * variable naming no subgraph of the supergraph, or not a positive integer, is a ConfigError.
 */
export function loadSubgraphTimeouts(
  subgraphNames: readonly string[],
  source: Readonly<Record<string, string | undefined>> = process.env,
): Map<string, number> {
  const byVariable = new Map(subgraphNames.map((name) => [subgraphTimeoutVariable(name), name]));
  const timeouts = new Map<string, number>();
  const problems: string[] = [];
  for (const [key, value] of Object.entries(source)) {
    if (!SUBGRAPH_TIMEOUT_VARIABLE.test(key) || value === undefined || value === '') continue;
    const name = byVariable.get(key);
    const parsed = z.coerce.number().int().positive().safeParse(value);
    if (name === undefined)
      problems.push(`${key}: names no subgraph (there are: ${subgraphNames.join(', ')})`);
    else if (!parsed.success)
      problems.push(
        `${key}: must be a positive number of milliseconds (got ${JSON.stringify(value)})`,
      );
    else timeouts.set(name, parsed.data);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return timeouts;
}

/** `SUBGRAPH_<NAME>_URL` overrides a subgraph's URL from the supergraph (NAME upper-cased, non-alphanumerics as `_`). */
export const SUBGRAPH_URL_VARIABLE = /^SUBGRAPH_([A-Z0-9_]+)_URL$/;

export function subgraphUrlVariable(subgraphName: string): string {
  return `SUBGRAPH_${subgraphName.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_URL`;
}

/** Every `SUBGRAPH_*_URL` in `source`, validated; keyed by variable name. */
export function loadSubgraphUrlOverrides(
  source: Readonly<Record<string, string | undefined>> = process.env,
): Map<string, string> {
  const overrides = new Map<string, string>();
  const problems: string[] = [];
  for (const [key, value] of Object.entries(source)) {
    if (!SUBGRAPH_URL_VARIABLE.test(key) || value === undefined || value === '') continue;
    const parsed = httpUrl().safeParse(value);
    if (parsed.success) overrides.set(key, parsed.data);
    else problems.push(`${key}: must be an http(s) URL (got ${JSON.stringify(value)})`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return overrides;
}
