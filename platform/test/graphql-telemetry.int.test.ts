import type { Server } from 'node:http';
import { parse } from 'graphql';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UpstreamError } from '../src/errors/index.ts';
import { createSubgraphApp } from '../src/graphql/index.ts';
import { listen } from '../src/http/index.ts';
import { createRecentFailures, type TelemetryRuntime } from '../src/telemetry/index.ts';
import { installTelemetryRuntime, uninstallTelemetryRuntime } from '../src/telemetry/runtime.ts';
import {
  attributesOf,
  installTestTelemetry,
  silentLogger,
  testGatewayIdentity,
  type TestTelemetry,
} from '../src/testing/index.ts';

const typeDefs = parse(`type Query { hello: String, stock: Int }`);
const resolvers = {
  Query: {
    hello: () => 'world',
    stock: () => {
      throw new UpstreamError('UPSTREAM_UNAVAILABLE', 'supplier', 'supplier is down', {
        transient: true,
      });
    },
  },
};

describe('telemetry of a GraphQL service (useTelemetry, first of every subgraph’s plugins)', () => {
  let telemetry: TestTelemetry;
  let runtime: TelemetryRuntime;
  let server: Server;
  let url: string;
  let close: () => Promise<void>;
  const post = async (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(await identity.headers()),
        ...headers,
      },
      body: JSON.stringify(body),
    }).then((response) => response.json());

  const identity = testGatewayIdentity();
  beforeEach(async () => {
    telemetry = installTestTelemetry();
    runtime = {
      serviceName: 'test',
      failures: createRecentFailures(),
      serveMetrics: (_req, res) => res.end('# metrics\n'),
      shutdown: () => Promise.resolve(),
    };
    installTelemetryRuntime(runtime);
    const subgraph = await createSubgraphApp({
      subgraph: { name: 'test', typeDefs, resolvers },
      context: () => ({}),
      logger: silentLogger(),
      production: true,
      identity: identity.verifier,
    });
    close = subgraph.close;
    ({ server, url } = await listen(subgraph.app, { port: 0, host: '127.0.0.1' }));
  });
  afterEach(async () => {
    server.close();
    await close();
    await telemetry.close();
    uninstallTelemetryRuntime();
  });

  it('times operations by type, name and the error that is ours', async () => {
    await post({ query: 'query Hello { hello }' });
    await post({ query: 'query Stock { hello stock }' });
    await post({ query: '{ nope }' });
    expect(attributesOf(await telemetry.points('manifold.graphql.operation.duration'))).toEqual(
      expect.arrayContaining([
        { 'graphql.operation.type': 'query', 'graphql.operation.name': 'Hello' },
        {
          'graphql.operation.type': 'query',
          'graphql.operation.name': 'Stock',
          'error.type': 'UPSTREAM_UNAVAILABLE',
        },
        { 'graphql.operation.type': '_UNRESOLVED', 'error.type': 'GRAPHQL_VALIDATION_FAILED' },
      ]),
    );
    expect(attributesOf(await telemetry.points('http.server.request.duration'))).toContainEqual({
      'http.request.method': 'POST',
      'http.response.status_code': 200,
      'http.route': '/graphql',
    });
  });

  it('keeps an answer carrying an error of ours as a failed request, under its operation, with its request id', async () => {
    await post({ query: '{ nope }' }); // the client's mistake: not a failure of ours
    await post({ query: 'query Stock { stock }' }, { 'x-request-id': 'req-42' });
    expect(runtime.failures.list()).toEqual([
      expect.objectContaining({
        name: 'query Stock',
        status: 200,
        code: 'UPSTREAM_UNAVAILABLE',
        requestId: 'req-42',
      }),
    ]);
  });

  it('serves /metrics beside /graphql', async () => {
    expect(await (await fetch(`${url}/metrics`)).text()).toBe('# metrics\n');
  });
});
