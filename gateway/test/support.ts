import type { Server } from 'node:http';
import { composeServices } from '@apollo/composition';
import { createSubgraphApp } from '@manifold/platform/graphql';
import { listen } from '@manifold/platform/http';
import { silentLogger } from '@manifold/platform/testing';
import type { Request } from 'express';
import { parse } from 'graphql';

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
