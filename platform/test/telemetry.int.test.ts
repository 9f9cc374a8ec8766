import type { Server } from 'node:http';
import { Router } from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../src/errors/index.ts';
import { createHttpShell, finishHttpShell, listen, withEdge } from '../src/http/index.ts';
import {
  createRecentFailures,
  setRouteTemplate,
  telemetryEdge,
  type TelemetryRuntime,
} from '../src/telemetry/index.ts';
import { installTelemetryRuntime, uninstallTelemetryRuntime } from '../src/telemetry/runtime.ts';
import {
  attributesOf,
  installTestTelemetry,
  silentLogger,
  type TestTelemetry,
} from '../src/testing/index.ts';

// A REST service as the facades build theirs: routers mounted under /api/v2, an edge in front.
function restApp() {
  const logger = silentLogger();
  const app = createHttpShell(logger);
  const customers = Router();
  customers.get('/customers/:id', (req, res) => {
    if (req.params.id === '404') throw new AppError('NOT_FOUND', 'no such customer');
    if (req.params.id === '503') throw new AppError('UPSTREAM_UNAVAILABLE', 'legacy is down');
    res.json({ id: req.params.id });
  });
  const api = Router();
  api.use('/v2', customers);
  app.use('/api', api);
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  let innerCalls = 0;
  const inner = finishHttpShell(app, { logger, maskUnexpected: true });
  const handler = withEdge(
    [telemetryEdge()],
    (req, res) => {
      innerCalls++;
      // As a cache ahead of the app answers: no Express, the route's template set by hand.
      if (req.url === '/api/v2/customers/cached') {
        setRouteTemplate(req, '/api/v2/customers/:id');
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"cached"}');
        return;
      }
      inner(req, res);
    },
    { logger, maskUnexpected: true },
  );
  return { handler, innerCalls: () => innerCalls };
}

describe('telemetry of a REST service (telemetryEdge)', () => {
  let telemetry: TestTelemetry;
  let server: Server;
  let url: string;
  let app: ReturnType<typeof restApp>;
  let runtime: TelemetryRuntime;

  beforeEach(async () => {
    telemetry = installTestTelemetry();
    runtime = {
      serviceName: 'test',
      failures: createRecentFailures(),
      // As the Prometheus exporter does: the answer is written after an asynchronous collection.
      serveMetrics: (_req, res) => {
        setTimeout(
          () => res.writeHead(200, { 'content-type': 'text/plain' }).end('# metrics\n'),
          20,
        );
      },
      shutdown: () => Promise.resolve(),
    };
    installTelemetryRuntime(runtime);
    app = restApp();
    ({ server, url } = await listen(app.handler, { port: 0, host: '127.0.0.1' }));
  });
  afterEach(async () => {
    server.close();
    await telemetry.close();
    uninstallTelemetryRuntime();
  });

  it('times every request by method, route template (under its mounts), status and catalogue code', async () => {
    for (const id of ['1', '2', '404', '503'])
      await (await fetch(`${url}/api/v2/customers/${id}`)).arrayBuffer();
    await (await fetch(`${url}/healthz`)).arrayBuffer();
    const points = await telemetry.points('http.server.request.duration');
    expect(attributesOf(points)).toEqual(
      expect.arrayContaining([
        {
          'http.request.method': 'GET',
          'http.response.status_code': 200,
          'http.route': '/api/v2/customers/:id',
        },
        {
          'http.request.method': 'GET',
          'http.response.status_code': 404,
          'http.route': '/api/v2/customers/:id',
          'error.type': 'NOT_FOUND',
        },
        {
          'http.request.method': 'GET',
          'http.response.status_code': 503,
          'http.route': '/api/v2/customers/:id',
          'error.type': 'UPSTREAM_UNAVAILABLE',
        },
      ]),
    );
    // Two successes in one series; no raw id, no health check anywhere.
    expect(
      points.find((point) => point.attributes['http.response.status_code'] === 200)?.value,
    ).toMatchObject({
      count: 2,
    });
    expect(JSON.stringify(attributesOf(points))).not.toMatch(/customers\/\d|healthz/);
  });

  it('times an answer sent ahead of the app under the route template it was given', async () => {
    await (await fetch(`${url}/api/v2/customers/cached`)).arrayBuffer();
    await (await fetch(`${url}/api/v2/customers/1`)).arrayBuffer();
    const points = await telemetry.points('http.server.request.duration');
    expect(attributesOf(points)).toEqual([
      {
        'http.request.method': 'GET',
        'http.response.status_code': 200,
        'http.route': '/api/v2/customers/:id',
      },
    ]);
    expect(points[0]?.value).toMatchObject({ count: 2 });
  });

  it('keeps the failures that are ours (5xx) for the ops console, with route, code and request id', async () => {
    await (await fetch(`${url}/api/v2/customers/404`)).arrayBuffer();
    await (
      await fetch(`${url}/api/v2/customers/503`, { headers: { 'x-request-id': 'req-9' } })
    ).arrayBuffer();
    expect(runtime.failures.list()).toEqual([
      expect.objectContaining({
        name: 'GET /api/v2/customers/:id',
        status: 503,
        code: 'UPSTREAM_UNAVAILABLE',
        requestId: 'req-9',
      }),
    ]);
  });

  it('answers /metrics itself, before the app (and any cached answer) sees the request', async () => {
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('# metrics\n');
    const failures = await fetch(`${url}/metrics/failures`);
    expect(await failures.json()).toEqual({ service: 'test', failures: [] });
    expect(app.innerCalls()).toBe(0);
  });
});
