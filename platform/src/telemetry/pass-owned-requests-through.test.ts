// passOwnedRequestsThrough with the real http instrumentation patching node:http's servers (in a
// file of its own: the patch is process-wide, and the other telemetry tests expect none).
import { once } from 'node:events';
import type * as nodeHttp from 'node:http';
import { createServer, request, type RequestListener, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { context, SpanKind } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installTestTelemetry, type TestTelemetry } from '../testing/telemetry.ts';
import { isServerSpanOwned, ownServerSpans, passOwnedRequestsThrough } from './own-server-spans.ts';

let telemetry: TestTelemetry;
let instrumentation: HttpInstrumentation;
const http = createRequire(import.meta.url)('node:http') as typeof nodeHttp;
/** What the patch replaces: the servers' emit, request and get. */
const patchable = () => [
  Reflect.get(http.Server.prototype, 'emit') as unknown,
  http.request,
  http.get,
];
const unpatched = patchable();
const httpDefinitions = () =>
  instrumentation.getModuleDefinitions().filter((definition) => definition.name === 'http');

beforeAll(() => {
  telemetry = installTestTelemetry();
  // Told to leave owned requests alone, as every service's is (instrumentations.ts).
  instrumentation = new HttpInstrumentation({ ignoreIncomingRequestHook: isServerSpanOwned });
  instrumentation.enable();
  // What loading node:http under the instrumentation's hook does: its servers' emit patched.
  for (const definition of httpDefinitions()) definition.patch?.(http);
});
afterAll(async () => {
  instrumentation.disable();
  // Undone the way it was done: disable() unpatches only a module its hook saw load, and a
  // worker runs later files (isolate: false) that expect node:http as it was.
  for (const definition of httpDefinitions()) definition.unpatch?.(http);
  expect(patchable()).toEqual(unpatched);
  await telemetry.close();
});

async function serve(listener: RequestListener) {
  const server: Server = createServer(
    ownServerSpans((req) => req.url?.startsWith('/hooks/') === true, '/hooks/:source', listener),
  );
  passOwnedRequestsThrough(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      server.close();
    },
  };
}

const post = (port: number, path: string) =>
  new Promise<number>((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, method: 'POST' }, (res) => {
      res.resume();
      res.on('end', () => {
        resolve(res.statusCode ?? 0);
      });
    })
      .on('error', reject)
      .end('{}');
  });

describe('passOwnedRequestsThrough, with the http instrumentation', () => {
  it('leaves an owned request’s events unbound and untouched by the instrumentation, and still spans the others', async () => {
    const seen: Record<string, { ownOn: boolean; suppressedAtEnd: boolean }> = {};
    const server = await serve((req, res) => {
      const ownOn = Object.hasOwn(req, 'on') || Object.hasOwn(res, 'on');
      req.resume();
      req.on('end', () => {
        seen[req.url ?? ''] = { ownOn, suppressedAtEnd: isTracingSuppressed(context.active()) };
        res.writeHead(200).end();
      });
    });
    const before = telemetry.spans().length;
    expect(await post(server.port, '/hooks/github')).toBe(200);
    expect(await post(server.port, '/api/v1/dead-letters')).toBe(200);
    server.close();
    expect(seen).toEqual({
      // Owned: its emitters as node:http made them, its events in no suppressed context.
      '/hooks/github': { ownOn: false, suppressedAtEnd: false },
      // Not owned: the instrumentation's, its emitters bound to the request's span.
      '/api/v1/dead-letters': { ownOn: true, suppressedAtEnd: false },
    });
    // One server span each: the service's own, and the instrumentation's.
    const spans = telemetry
      .spans()
      .slice(before)
      .filter((span) => span.kind === SpanKind.SERVER);
    expect(spans.map((span) => span.instrumentationScope.name).sort()).toEqual([
      '@opentelemetry/instrumentation-http',
      'manifold',
    ]);
  });
});
