import { writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { createSubgraphApp } from '@manifold/platform/graphql';
import { listen } from '@manifold/platform/http';
import { createCache } from '@manifold/platform/cache';
import {
  serveGraphQL,
  silentLogger,
  testGatewayIdentity,
  type TestGraphQLServer,
} from '@manifold/platform/testing';
import type { Express, Request } from 'express';
import { parse } from 'graphql';
import { createApp, type GatewayDeps } from '../src/app.ts';
import { loadSupergraph } from '../src/supergraph.ts';

/** The secret the test gateways sign with and the tiny subgraphs check. */
export const TEST_TRUST = testGatewayIdentity();

export interface TinySubgraph {
  name: string;
  url: string;
  /** Headers of every request this subgraph received. */
  received: Record<string, string | string[] | undefined>[];
  stop: () => Promise<void>;
}

/** A real subgraph over HTTP on a free port, built from SDL + resolvers in the test. */
export async function startTinySubgraph(
  name: string,
  sdl: string,
  resolvers: Record<string, unknown>,
): Promise<TinySubgraph> {
  const received: TinySubgraph['received'] = [];
  const { app, apollo } = await createSubgraphApp({
    subgraph: { name, typeDefs: parse(sdl), resolvers: resolvers as never },
    logger: silentLogger(name),
    production: false,
    identity: TEST_TRUST.verifier,
    context: ({ req }: { req: Request }) => {
      received.push({ ...req.headers });
      return {};
    },
  });
  const { server, url }: { server: Server; url: string } = await listen(app, {
    port: 0,
    host: '127.0.0.1',
  });
  let stopped = false;
  return {
    name,
    url: `${url}/graphql`,
    received,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
      await apollo.stop();
    },
  };
}

/** Composes the subgraphs' SDL into a supergraph pointing at their live URLs. */
export function composeTiny(
  subgraphs: readonly { name: string; url: string; sdl: string }[],
): string {
  const result = composeServices(
    subgraphs.map(({ name, url, sdl }) => ({ name, url, typeDefs: parse(sdl) })),
  );
  if (result.errors) throw new Error(result.errors.map((error) => error.message).join('\n'));
  return result.supergraphSdl;
}

export const FED =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])';

export const ACCOUNTS_SDL = `${FED}
type Query { me: Account  fail: String  boom: String }
type Account @key(fields: "id") { id: ID! name: String! }`;

export const REVIEWS_SDL = `${FED}
type Account @key(fields: "id") { id: ID! reviews: [Review!] }
type Review { body: String! }`;

export interface TestGateway {
  server: TestGraphQLServer;
  close: () => Promise<void>;
}

/** The gateway over live subgraphs, on a free port; `options` are createApp's. */
export async function startGateway(
  production: boolean,
  subgraphs: readonly TinySubgraph[],
  sdls: Record<string, string>,
  options: Partial<GatewayDeps> = {},
  /** Wraps the app before it listens (e.g. to count requests). */
  wrap: (app: Express) => Express = (app) => app,
): Promise<TestGateway> {
  const path = join(tmpdir(), `supergraph-${process.pid}-${Date.now()}-${Math.random()}.graphql`);
  writeFileSync(
    path,
    composeTiny(subgraphs.map((s) => ({ name: s.name, url: s.url, sdl: sdls[s.name]! }))),
  );
  const { app, close } = await createApp({
    supergraph: loadSupergraph(path),
    logger: silentLogger('gateway'),
    cache: createCache({ namespace: 'gateway-test', logger: silentLogger() }),
    production,
    readinessTimeoutMs: 500,
    identity: TEST_TRUST.signer,
    ...options,
  });
  const server = await serveGraphQL(wrap(app));
  return {
    server,
    close: async () => {
      await server.close();
      await close();
    },
  };
}
