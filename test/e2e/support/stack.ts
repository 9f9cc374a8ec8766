import { join } from 'node:path';
import {
  testGatewayIdentity,
  type CommandWrapper,
  type TestGatewayIdentity,
} from '@manifold/platform/testing';
import { SUBGRAPH_NAMES, type SubgraphName } from '@manifold/platform/contracts';
import { freePort, freePorts, REPO_ROOT, startService, type ServiceProcess } from './processes.ts';

export { SUBGRAPH_NAMES, type SubgraphName };

/** Databases shared by every e2e run on this machine: seeded once, then reused (the seed is deterministic). */
export const E2E_DATA_DIR = join(REPO_ROOT, '.data', 'e2e');
export const databasePath = (name: SubgraphName) => join(E2E_DATA_DIR, `${name}.sqlite`);

export interface Stack {
  subgraphs: Record<SubgraphName, ServiceProcess>;
  gateway: ServiceProcess;
  /** Signs identities as this stack's gateway does: what a request straight to a subgraph needs. */
  identity: TestGatewayIdentity;
  stop: () => Promise<void>;
}

export interface StackOptions {
  /** Replace a subgraph's URL as the gateway sees it (e.g. a slow proxy in front of it). */
  gatewayUrlFor?: Partial<Record<SubgraphName, (realUrl: string) => string>>;
  gatewayEnv?: Record<string, string>;
  /** Extra environment per subgraph (e.g. products → SOAP_PROXY_URL). */
  subgraphEnv?: Partial<Record<SubgraphName, Record<string, string>>>;
  /** How to run the processes (benchmarks pin the gateway and the subgraphs to cores). */
  wrapCommand?: { gateway?: CommandWrapper; subgraphs?: CommandWrapper };
}

/** Starts the four subgraphs and the gateway as real processes on free ports. */
export async function startStack({
  gatewayUrlFor = {},
  gatewayEnv = {},
  subgraphEnv = {},
  wrapCommand = {},
}: StackOptions = {}): Promise<Stack> {
  const started: ServiceProcess[] = [];
  // One stack, one secret the gateway signs identities with and its subgraphs check (production requires it set).
  const identity = testGatewayIdentity();
  const identitySecret = identity.secret;
  try {
    // Starting (and, on a first run, seeding) is CPU-bound: two subgraphs at a time, one per core
    // of a 2-core machine, rather than all four on it at once or one leaving a core idle.
    const subgraphs = {} as Record<SubgraphName, ServiceProcess>;
    // Chosen together: two concurrent freePort() calls could each pick the port the other let go.
    const ports = await freePorts(SUBGRAPH_NAMES.length);
    const startSubgraph = async (name: SubgraphName, index: number) => {
      const service = await startService({
        name,
        entry: `subgraphs/${name}/src/main.ts`,
        port: ports[index]!,
        env: {
          [`${name.toUpperCase()}_DATABASE_PATH`]: databasePath(name),
          GATEWAY_IDENTITY_SECRET: identitySecret,
          ...subgraphEnv[name],
        },
        readyPath: '/healthz',
        ...(wrapCommand.subgraphs ? { wrapCommand: wrapCommand.subgraphs } : {}),
      });
      started.push(service);
      subgraphs[name] = service;
    };
    for (let i = 0; i < SUBGRAPH_NAMES.length; i += 2) {
      // allSettled: a pair's other service is recorded as started (and stopped below) even if one fails.
      const results = await Promise.allSettled(
        SUBGRAPH_NAMES.slice(i, i + 2).map((name, offset) => startSubgraph(name, i + offset)),
      );
      const failures = results.flatMap((result) =>
        result.status === 'rejected' ? [result.reason as unknown] : [],
      );
      if (failures.length === 1) throw failures[0];
      if (failures.length > 1) throw new AggregateError(failures, 'two subgraphs failed to start');
    }
    const overrides = Object.fromEntries(
      SUBGRAPH_NAMES.map((name) => {
        const real = `${subgraphs[name].url}/graphql`;
        return [`SUBGRAPH_${name.toUpperCase()}_URL`, gatewayUrlFor[name]?.(real) ?? real];
      }),
    );
    const gateway = await startService({
      name: 'gateway',
      entry: 'gateway/src/main.ts',
      port: await freePort(),
      env: { ...overrides, GATEWAY_IDENTITY_SECRET: identitySecret, ...gatewayEnv },
      readyPath: '/readyz',
      ...(wrapCommand.gateway ? { wrapCommand: wrapCommand.gateway } : {}),
    });
    started.push(gateway);
    return { subgraphs, gateway, identity, stop: () => stopAll(started) };
  } catch (error) {
    await stopAll(started);
    throw error;
  }
}

async function stopAll(services: readonly ServiceProcess[]): Promise<void> {
  await Promise.all(services.map((service) => service.stop()));
}

export interface GraphQLResult<TData = Record<string, unknown>> {
  status: number;
  body: {
    data?: TData | null;
    errors?: {
      message: string;
      path?: (string | number)[];
      extensions?: Record<string, unknown>;
    }[];
  };
}

export async function graphql<TData = Record<string, unknown>>(
  gatewayUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResult<TData>> {
  const response = await fetch(`${gatewayUrl}/graphql`, {
    method: 'POST',
    // What Apollo Client and urql send: the GraphQL response type first, plain JSON as a fallback.
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json;q=0.9',
      ...headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as GraphQLResult<TData>['body'] };
}
