/**
 * Which services make up Manifold and where each listens by default: the one list the launcher,
 * composition, every service's PORT default, the e2e stacks and the in-process tests read.
 * Every port can be moved (`PORT`, or `<NAME>_PORT` under `npm start`); these are the defaults.
 */
export const SUBGRAPHS = [
  { name: 'users', port: 4001 },
  { name: 'products', port: 4002 },
  { name: 'orders', port: 4003 },
  { name: 'content', port: 4004 },
] as const;

export type SubgraphName = (typeof SUBGRAPHS)[number]['name'];

export const SUBGRAPH_NAMES: readonly SubgraphName[] = SUBGRAPHS.map(({ name }) => name);

/** Default port of every service, ours and the reference upstreams. */
export const DEFAULT_PORTS = {
  gateway: 4000,
  ...(Object.fromEntries(SUBGRAPHS.map(({ name, port }) => [name, port])) as Record<
    SubgraphName,
    number
  >),
  'soap-proxy': 4100,
  'legacy-rest-adapter': 4200,
  webhooks: 4300,
  'identity-provider': 8090,
  registry: 4400,
  console: 4500,
  'php-monolith': 8080,
  'soap-supplier': 8081,
  /** Reference SaaS destinations of webhook fan-out (CRM, chat, accounting). */
  'saas-sinks': 8083,
  /** The webhooks queue's private Redis under `npm start` (when no Redis is configured). */
  'webhooks-redis': 6390,
} as const;

export type ServiceName = keyof typeof DEFAULT_PORTS;

/** The loopback URL a service listens on by default (what `npm start` and the committed supergraph use). */
export const defaultUrl = (service: ServiceName, path = ''): string =>
  `http://127.0.0.1:${DEFAULT_PORTS[service]}${path}`;

/**
 * The largest request body a subgraph accepts. The gateway splits its entity fetches to fit, so
 * the two can never disagree (gateway/src/datasources/entity-batches.ts).
 */
export const SUBGRAPH_REQUEST_LIMIT_BYTES = 1_048_576; // 1 MiB
