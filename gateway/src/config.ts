import { fileURLToPath } from 'node:url';
import { FrontDoorAuthEnv, GatewayIdentityEnv } from '@manifold/platform/auth';
import { BaseEnv, commaList, ConfigError, httpUrl, port } from '@manifold/platform/config';
import { DEFAULT_PORTS, Header, SUBGRAPH_REQUEST_LIMIT_BYTES } from '@manifold/platform/contracts';
import { z } from 'zod';

/** Headers the gateway itself sets towards subgraphs, which a client can never supply. */
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
  /** Longest wait for one subgraph fetch. */
  SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
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
});
export type GatewayEnv = z.infer<typeof GatewayEnv>;

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
