import type { Server } from 'node:http';
import type { Express } from 'express';
import { listen } from '../http/listen.ts';

export interface GraphQLTestResponse<TData = Record<string, unknown>> {
  status: number;
  data?: TData | null;
  errors?: {
    message: string;
    path?: (string | number)[];
    extensions?: Record<string, unknown> & { code?: string };
  }[];
}

export interface TestGraphQLServer {
  url: string;
  query: <TData = Record<string, unknown>>(
    document: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ) => Promise<GraphQLTestResponse<TData>>;
  close: () => Promise<void>;
}

/**
 * Serves an app on a free loopback port and POSTs GraphQL to it, as a real client would;
 * `headers` go with every request (a subgraph test's signed gateway identity).
 */
export async function serveGraphQL(
  app: Express,
  { headers: always = {} }: { headers?: Record<string, string> } = {},
): Promise<TestGraphQLServer> {
  const { server, url }: { server: Server; url: string } = await listen(app, {
    port: 0,
    host: '127.0.0.1',
  });
  return {
    url,
    query: async (document, variables = {}, headers = {}) => {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        // What Apollo Client and urql send: the GraphQL response type first, plain JSON as a fallback.
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json;q=0.9',
          ...always,
          ...headers,
        },
        body: JSON.stringify({ query: document, variables }),
      });
      return { status: response.status, ...((await response.json()) as object) };
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}
