import { readFileSync } from 'node:fs';
import { ConfigError } from '@manifold/platform/config';
import { parse } from 'yaml';
import { z } from 'zod';
import {
  DestinationRequest,
  resolveRequest,
  type ResolvedRequest,
  type SkippedDestination,
} from './destination-requests.ts';

const name = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and -');
/** Names of environment variables holding a secret (or `<NAME>_FILE`, a file holding it). */
const secretNames = z.array(z.string().regex(/^[A-Z][A-Z0-9_]*$/)).min(1);

const Source = z.discriminatedUnion('scheme', [
  z.object({
    scheme: z.literal('stripe'),
    secrets: secretNames,
    toleranceSeconds: z.number().int().positive().default(300),
  }),
  z.object({ scheme: z.literal('github'), secrets: secretNames }),
  z.object({ scheme: z.literal('shopify'), secrets: secretNames }),
  z.object({
    scheme: z.literal('standard-webhooks'),
    secrets: secretNames,
    toleranceSeconds: z.number().int().positive().default(300),
  }),
  z.object({
    scheme: z.literal('hmac'),
    secrets: secretNames,
    signatureHeader: z.string().min(1).toLowerCase().default('x-signature'),
    algorithm: z.enum(['sha1', 'sha256', 'sha512']).default('sha256'),
    encoding: z.enum(['hex', 'base64']).default('hex'),
    prefix: z.string().default(''),
    timestampHeader: z.string().min(1).toLowerCase().optional(),
    toleranceSeconds: z.number().int().positive().default(300),
    idHeader: z.string().min(1).toLowerCase().default('x-webhook-id'),
    typeField: z.string().min(1).default('type'),
  }),
]);
export type SourceSettings = z.infer<typeof Source>;

const Destination = DestinationRequest.extend({
  /** `${NAME}` or `${NAME:-default}` take the value from the environment. */
  url: z.string().min(1),
  /** Per attempt. */
  timeoutMs: z.number().int().positive().default(10_000),
  /** At most `max` deliveries per `perSeconds`, all worker processes together (held ones wait). */
  rateLimit: z
    .object({ max: z.number().int().positive(), perSeconds: z.number().int().positive() })
    .optional(),
  /**
   * Circuit breaker shared by every worker: open after `failures` transient failures in a row,
   * one probe after `coolDownSeconds`; opened `pauseAfterOpenings` times in a row → paused until
   * an operator resumes it. Deliveries wait meanwhile (no attempt used).
   */
  breaker: z
    .object({
      failures: z.number().int().positive().default(5),
      coolDownSeconds: z.number().positive().default(30),
      pauseAfterOpenings: z.number().int().positive().default(10),
    })
    .optional(),
});

const Route = z.object({
  source: name,
  /** Event types; `*` at the end matches a prefix (`invoice.*`). Omitted: every event. */
  events: z.array(z.string().min(1)).default(['*']),
  to: z.array(name).min(1),
  /**
   * Per-key ordering: a JSON pointer (`/data/object/customer`) or dotted path
   * (`data.object.customer`) into the event's body. For one (destination, key) a later event
   * waits while an earlier one is pending or retrying. Events without the key are not ordered.
   */
  orderBy: z.string().min(1).optional(),
});

/**
 * A customer's registered endpoint: Manifold's own events (those of `source`, by default the
 * internal `manifold` source the orders subgraph posts to) whose type matches `events`, each
 * signed per Standard Webhooks with every secret set (several during a rotation).
 */
const Endpoint = z.object({
  url: z.string().min(1),
  /** Event types; `*` at the end matches a prefix (`order.*`). Omitted: every event. */
  events: z.array(z.string().min(1)).default(['*']),
  source: name.default('manifold'),
  /** Variables holding its `whsec_` secrets: the new one first during a rotation, then the old one. */
  secrets: secretNames,
  timeoutMs: z.number().int().positive().default(10_000),
});

export const WebhooksFile = z.object({
  sources: z.record(name, Source).default({}),
  destinations: z.record(name, Destination).default({}),
  routes: z.array(Route).default([]),
  endpoints: z.record(name, Endpoint).default({}),
});
export type WebhooksFile = z.infer<typeof WebhooksFile>;

export interface DestinationSettings extends Partial<ResolvedRequest> {
  url: string;
  timeoutMs: number;
  rateLimit?: { max: number; perSeconds: number } | undefined;
  breaker?: { failures: number; coolDownSeconds: number; pauseAfterOpenings: number } | undefined;
}

export interface EndpointSettings extends DestinationSettings {
  source: string;
  events: string[];
  /** Names of the variables holding its secrets. */
  secrets: string[];
}

/** `${NAME}` / `${NAME:-default}` from `env`; an unset variable without a default is a config error. */
function interpolate(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
  where: string,
) {
  return text.replace(
    /\$\{([A-Z][A-Z0-9_]*)(?::-([^}]*))?\}/g,
    (_match, variable: string, fallback?: string) => {
      const value = env[variable] ?? fallback;
      if (value === undefined || value === '')
        throw new ConfigError([`${where}: \${${variable}} is not set`]);
      return value;
    },
  );
}

/** `url` with `${VARIABLES}` from `env`, checked to be http(s). */
function resolveUrl(
  url: string,
  env: Readonly<Record<string, string | undefined>>,
  where: string,
): string {
  const resolved = interpolate(url, env, where);
  if (!URL.canParse(resolved) || !/^https?:$/.test(new URL(resolved).protocol))
    throw new ConfigError([`${where}: not an http(s) URL: ${resolved}`]);
  return resolved;
}

/**
 * Reads the webhooks file (sources, destinations, routes, endpoints), checking that every route
 * names a known source and destination and every endpoint a known source (endpoints and
 * destinations share one namespace: a delivery names either); URLs take `${VARIABLES}` from
 * `env`. Each endpoint becomes a route of its own (its source, its events, to it). A destination
 * whose request shaping says so is left out with its routes (`skipped`: the caller warns).
 */
export function loadWebhooksFile(
  path: string,
  env: Readonly<Record<string, string | undefined>>,
): {
  sources: Record<string, SourceSettings>;
  destinations: Record<string, DestinationSettings>;
  routes: WebhooksFile['routes'];
  endpoints: Record<string, EndpointSettings>;
  skipped: SkippedDestination[];
} {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`WEBHOOKS_FILE: cannot read ${path}: ${(error as Error).message}`]);
  }
  const parsed = WebhooksFile.safeParse(parse(text) ?? {});
  if (!parsed.success)
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${path}: ${issue.path.join('.')}: ${issue.message}`),
    );
  const { sources, destinations, routes, endpoints } = parsed.data;
  const problems = [
    ...routes.flatMap((route, index) => [
      ...(sources[route.source]
        ? []
        : [`${path}: routes.${index}: unknown source ${route.source}`]),
      ...route.to
        .filter((destination) => !destinations[destination])
        .map((destination) => `${path}: routes.${index}: unknown destination ${destination}`),
    ]),
    ...Object.entries(endpoints).flatMap(([key, endpoint]) => [
      ...(sources[endpoint.source]
        ? []
        : [`${path}: endpoints.${key}: unknown source ${endpoint.source}`]),
      ...(destinations[key]
        ? [`${path}: endpoints.${key}: a destination has that name already`]
        : []),
    ]),
  ];
  if (problems.length > 0) throw new ConfigError(problems);
  const resolved: Record<string, DestinationSettings> = {};
  const skipped: SkippedDestination[] = [];
  for (const [key, destination] of Object.entries(destinations)) {
    const where = `${path}: destinations.${key}`;
    const request = resolveRequest(destination, env, where);
    if (request === 'skip') {
      skipped.push({ destination: key, variable: destination.apiKey ?? '' });
      continue;
    }
    resolved[key] = {
      url: resolveUrl(destination.url, env, `${where}.url`),
      timeoutMs: destination.timeoutMs,
      rateLimit: destination.rateLimit,
      breaker: destination.breaker,
      ...request,
    };
  }
  const left = new Set(skipped.map((skip) => skip.destination));
  const kept = routes
    .map((route) => ({ ...route, to: route.to.filter((to) => !left.has(to)) }))
    .filter((route) => route.to.length > 0);
  const resolvedEndpoints = Object.fromEntries(
    Object.entries(endpoints).map(([key, endpoint]) => [
      key,
      { ...endpoint, url: resolveUrl(endpoint.url, env, `${path}: endpoints.${key}.url`) },
    ]),
  );
  const endpointRoutes = Object.entries(endpoints).map(([key, endpoint]) => ({
    source: endpoint.source,
    events: endpoint.events,
    to: [key],
  }));
  return {
    sources,
    destinations: resolved,
    routes: [...kept, ...endpointRoutes],
    endpoints: resolvedEndpoints,
    skipped,
  };
}
