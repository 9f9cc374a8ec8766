import { DEFAULT_PORTS, SUBGRAPH_NAMES, SUBGRAPHS } from '@manifold/platform/contracts';

/**
 * The services `npm start` runs. One registry for the launcher, the seed script and the
 * compose-file test: add a service here and it starts with the rest, in its stage.
 */
export interface ServiceDefinition {
  name: string;
  /** How it runs: `node <entry>`, `php -S host:port <entry>`, or `redis-server` (entry: the command). */
  runtime: 'node' | 'php' | 'redis';
  /** Entry file, relative to the repo root (for redis: the command). */
  entry: string;
  /** Default port (the service's PORT; `<NAME>_PORT` moves it under `npm start`). */
  port: number;
  /** Polled until 200 (redis: until PONG) before the next stage starts. */
  readyPath: string;
  /** Services of one stage start together, after every earlier stage is ready. */
  stage: number;
  /** Env schema export (node services): the compose test checks variables against it. */
  envSchema?: { module: string; exportName: string };
  /** Variables pointing this service at others, given their base URLs. */
  links?: (urlOf: (name: string) => string) => Record<string, string>;
  /** A stand-in for an external system: `npm start` goes on without it when its runtime is missing. */
  optional?: boolean;
}

/**
 * Whether `npm start` runs the webhooks queue's private Redis: only when no Redis is configured
 * (WEBHOOKS_REDIS_URL, else REDIS_URL, is the queue's Redis).
 */
export const wantsPrivateRedis = (env: NodeJS.ProcessEnv = process.env) =>
  !env['WEBHOOKS_REDIS_URL'] && !env['REDIS_URL'];

/**
 * Whether the operator set one of these credentials (`NAME` or `NAME_FILE`): then `npm start` sets
 * none. Empty is not set (as loadEnv reads it: `.env` files produce them).
 */
export const operatorSetCredential = (
  names: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
) => names.some((name) => Boolean(env[name]) || Boolean(env[`${name}_FILE`]));

/** Where the reference identity provider keeps a client's generated secret (IDP_DATA_DIR moves it). */
export const identityProviderClientSecretFile = (
  clientId: string,
  env: NodeJS.ProcessEnv = process.env,
) => `${env['IDP_DATA_DIR'] ?? '.data/identity-provider'}/secrets/clients/${clientId}`;

/**
 * The webhooks service's credential at the legacy adapter, for replaying its dead letters: client
 * credentials from the identity provider (its `webhooks-replay` client, `tickets:write`), unless
 * the operator set one of their own.
 */
export function webhooksReplayCredentialLinks(
  identityProviderUrl: string,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  if (
    operatorSetCredential(
      ['WEBHOOKS_LEGACY_ADAPTER_API_KEY', 'WEBHOOKS_LEGACY_ADAPTER_CLIENT_SECRET'],
      env,
    )
  )
    return {};
  return {
    WEBHOOKS_LEGACY_ADAPTER_TOKEN_URL: `${identityProviderUrl}/token`,
    WEBHOOKS_LEGACY_ADAPTER_CLIENT_ID: 'webhooks-replay',
    WEBHOOKS_LEGACY_ADAPTER_CLIENT_SECRET_FILE: identityProviderClientSecretFile(
      'webhooks-replay',
      env,
    ),
  };
}

/** Each subgraph's env schema export, e.g. users → UsersEnv. */
const envSchemaOf = (name: string) => `${name.charAt(0).toUpperCase()}${name.slice(1)}Env`;

export const SERVICES: readonly ServiceDefinition[] = [
  {
    name: 'soap-supplier',
    runtime: 'php',
    entry: 'upstreams/soap-supplier/router.php',
    port: DEFAULT_PORTS['soap-supplier'],
    readyPath: '/healthz',
    stage: 0,
    optional: true,
  },
  {
    name: 'php-monolith',
    runtime: 'php',
    entry: 'upstreams/php-monolith/router.php',
    port: DEFAULT_PORTS['php-monolith'],
    readyPath: '/healthz',
    stage: 0,
    optional: true,
  },
  {
    name: 'identity-provider',
    runtime: 'node',
    entry: 'upstreams/identity-provider/src/main.ts',
    port: DEFAULT_PORTS['identity-provider'],
    readyPath: '/healthz',
    stage: 0,
    envSchema: {
      module: 'upstreams/identity-provider/src/config.ts',
      exportName: 'IdentityProviderEnv',
    },
    links: (urlOf) => ({ IDP_ISSUER: urlOf('identity-provider') }),
  },
  {
    // Stand-ins for HubSpot, Slack and Sage: where deploy/webhooks.yaml's destinations point.
    name: 'saas-sinks',
    runtime: 'node',
    entry: 'upstreams/saas-sinks/src/main.ts',
    port: DEFAULT_PORTS['saas-sinks'],
    readyPath: '/healthz',
    stage: 0,
    envSchema: { module: 'upstreams/saas-sinks/src/config.ts', exportName: 'SaasSinksEnv' },
  },
  {
    name: 'soap-proxy',
    runtime: 'node',
    entry: 'soap-proxy/src/main.ts',
    port: DEFAULT_PORTS['soap-proxy'],
    readyPath: '/healthz',
    stage: 1,
    envSchema: { module: 'soap-proxy/src/config.ts', exportName: 'SoapProxyEnv' },
    links: (urlOf) => ({
      SUPPLIER_URL: `${urlOf('soap-supplier')}/`,
      OIDC_ISSUER: urlOf('identity-provider'),
    }),
  },
  {
    name: 'legacy-rest-adapter',
    runtime: 'node',
    entry: 'legacy-rest-adapter/src/main.ts',
    port: DEFAULT_PORTS['legacy-rest-adapter'],
    readyPath: '/healthz',
    stage: 1,
    envSchema: { module: 'legacy-rest-adapter/src/config.ts', exportName: 'LegacyAdapterEnv' },
    links: (urlOf) => ({
      LEGACY_URL: urlOf('php-monolith'),
      OIDC_ISSUER: urlOf('identity-provider'),
    }),
  },
  {
    name: 'registry',
    runtime: 'node',
    entry: 'registry/src/main.ts',
    port: DEFAULT_PORTS.registry,
    readyPath: '/readyz',
    stage: 1,
    envSchema: { module: 'registry/src/config.ts', exportName: 'RegistryEnv' },
    links: (urlOf) => ({ OIDC_ISSUER: urlOf('identity-provider') }),
  },
  {
    // The webhooks queue's Redis (AOF, fsync always, noeviction) under .data/, when none is configured.
    name: 'webhooks-redis',
    runtime: 'redis',
    entry: 'redis-server',
    port: DEFAULT_PORTS['webhooks-redis'],
    readyPath: '',
    stage: 0,
    optional: true,
  },
  {
    name: 'webhooks',
    runtime: 'node',
    entry: 'webhooks/src/main.ts',
    port: DEFAULT_PORTS.webhooks,
    readyPath: '/healthz',
    stage: 1,
    envSchema: { module: 'webhooks/src/config.ts', exportName: 'WebhooksEnv' },
    links: (urlOf) => ({
      OIDC_ISSUER: urlOf('identity-provider'),
      ...(wantsPrivateRedis()
        ? { WEBHOOKS_REDIS_URL: urlOf('webhooks-redis').replace(/^http:/, 'redis:') }
        : {}),
      // Replaying the legacy adapter's dead letters through it needs a credential there.
      ...webhooksReplayCredentialLinks(urlOf('identity-provider')),
    }),
  },
  ...SUBGRAPHS.map(({ name, port }): ServiceDefinition => ({
    name,
    runtime: 'node',
    entry: `subgraphs/${name}/src/main.ts`,
    port,
    readyPath: '/healthz',
    stage: 2,
    envSchema: { module: `subgraphs/${name}/src/config.ts`, exportName: envSchemaOf(name) },
    ...(name === 'products'
      ? {
          links: (urlOf: (service: string) => string) => ({
            SOAP_PROXY_URL: urlOf('soap-proxy'),
            // soap-proxy wants a token: client credentials from the identity provider.
            SOAP_PROXY_TOKEN_URL: `${urlOf('identity-provider')}/token`,
            // Where the provider keeps the secrets it generated (IDP_DATA_DIR moves them).
            SOAP_PROXY_CLIENT_SECRET_FILE: identityProviderClientSecretFile('products-subgraph'),
          }),
        }
      : {}),
  })),
  {
    name: 'gateway',
    runtime: 'node',
    entry: 'gateway/src/main.ts',
    port: DEFAULT_PORTS['gateway'],
    // Ready only once every subgraph answers.
    readyPath: '/readyz',
    stage: 3,
    envSchema: { module: 'gateway/src/config.ts', exportName: 'GatewayEnv' },
    links: (urlOf) => ({
      ...Object.fromEntries(
        SUBGRAPH_NAMES.map((name) => [
          `SUBGRAPH_${name.toUpperCase()}_URL`,
          `${urlOf(name)}/graphql`,
        ]),
      ),
      OIDC_ISSUER: urlOf('identity-provider'),
    }),
  },
  {
    name: 'console',
    runtime: 'node',
    entry: 'console/src/main.ts',
    port: DEFAULT_PORTS.console,
    readyPath: '/healthz',
    stage: 4,
    envSchema: { module: 'console/src/config.ts', exportName: 'ConsoleEnv' },
    // Watches every Node service, wherever `<NAME>_PORT` moved it.
    links: (urlOf) => ({
      CONSOLE_TARGETS: [...SUBGRAPH_NAMES, 'gateway', 'soap-proxy', 'legacy-rest-adapter']
        .map((name) => `${name}=${urlOf(name)}`)
        .join(','),
      CONSOLE_WEBHOOKS_URL: urlOf('webhooks'),
      // The dead-letter panel's credential: client credentials from the identity provider, unless
      // the operator gave the console one of their own.
      ...(operatorSetCredential(['CONSOLE_WEBHOOKS_API_KEY', 'CONSOLE_WEBHOOKS_CLIENT_SECRET'])
        ? {}
        : {
            CONSOLE_WEBHOOKS_TOKEN_URL: `${urlOf('identity-provider')}/token`,
            CONSOLE_WEBHOOKS_CLIENT_ID: 'webhooks-operator',
            CONSOLE_WEBHOOKS_CLIENT_SECRET_FILE:
              identityProviderClientSecretFile('webhooks-operator'),
          }),
    }),
  },
];

/** The variable that moves a service's port under `npm start`, e.g. soap-proxy → SOAP_PROXY_PORT. */
export const portVariable = (name: string) => `${name.toUpperCase().replaceAll('-', '_')}_PORT`;

/** The services a service's `links` point at. */
export function dependenciesOf(service: ServiceDefinition): string[] {
  const names: string[] = [];
  service.links?.((name) => {
    // A service may link to itself (the identity provider's issuer is its own URL).
    if (name !== service.name) names.push(name);
    return '';
  });
  return names;
}

/**
 * The services `npm start -- --only a,b` runs: those named and, transitively, those they link to,
 * in registry order. No names: all of them. An unknown name throws, listing the known ones.
 */
export function selectServices(names: readonly string[] = []): ServiceDefinition[] {
  if (names.length === 0) return [...SERVICES];
  const byName = new Map(SERVICES.map((service) => [service.name, service]));
  const unknown = names.filter((name) => !byName.has(name));
  if (unknown.length > 0)
    throw new Error(
      `unknown service(s) ${unknown.join(', ')}; known: ${SERVICES.map((service) => service.name).join(', ')}`,
    );
  const wanted = new Set<string>();
  const visit = (name: string) => {
    const service = byName.get(name);
    if (!service || wanted.has(name)) return;
    wanted.add(name);
    dependenciesOf(service).forEach(visit);
  };
  names.forEach(visit);
  return SERVICES.filter((service) => wanted.has(service.name));
}
