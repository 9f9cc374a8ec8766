import { once } from 'node:events';
import {
  createServer,
  request,
  type IncomingMessage,
  type RequestListener,
  type Server,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { installTestTelemetry, type TestTelemetry } from '../testing/telemetry.ts';
import { isServerSpanOwned, ownServerSpans, passOwnedRequestsThrough } from './own-server-spans.ts';

const ROUTE = '/hooks/:source';
let telemetry: TestTelemetry;
/** The spans ended since the test started. */
let ended: () => ReturnType<TestTelemetry['spans']>;

beforeAll(() => {
  telemetry = installTestTelemetry();
});
afterAll(() => telemetry.close());
beforeEach(() => {
  const before = telemetry.spans().length;
  ended = () => telemetry.spans().slice(before);
});

const ownsHooks = (req: IncomingMessage) => req.url?.startsWith('/hooks/') === true;

/**
 * A server answering through `ownServerSpans(ownsHooks, ROUTE, listener)`; `prepare` runs on it
 * before it listens.
 */
async function serve(listener: RequestListener, prepare: (server: Server) => void = () => {}) {
  const server = createServer(ownServerSpans(ownsHooks, ROUTE, listener));
  prepare(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { port, close: () => server.close() };
}

/** One request; resolves with its status, or with 'reset' when the server drops it. */
const send = (port: number, path: string, headers: Record<string, string> = {}) =>
  new Promise<number | 'reset'>((resolve) => {
    request({ host: '127.0.0.1', port, path, method: 'POST', headers }, (res) => {
      res.resume();
      res.on('end', () => {
        resolve(res.statusCode ?? 0);
      });
    })
      .on('error', () => {
        resolve('reset');
      })
      .end('{}');
  });

describe('ownServerSpans', () => {
  it('runs an owned request in its server span, a child of the caller, and ends it once with the status', async () => {
    let active: Span | undefined;
    const server = await serve((_req, res) => {
      active = trace.getActiveSpan();
      setImmediate(() => res.writeHead(202).end());
    });
    const status = await send(server.port, '/hooks/github?x=1', {
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      'user-agent': 'Stripe/1.0',
    });
    server.close();
    expect(status).toBe(202);
    await expect.poll(() => ended().length).toBe(1);
    const [span] = ended();
    expect(span?.spanContext().spanId).toBe(active?.spanContext().spanId);
    expect(span).toMatchObject({
      name: `POST ${ROUTE}`,
      kind: 1, // SERVER
      parentSpanContext: { spanId: 'b7ad6b7169203331' },
      status: { code: SpanStatusCode.UNSET },
      attributes: {
        'http.request.method': 'POST',
        'http.route': ROUTE,
        'url.path': '/hooks/github',
        'url.query': 'x=1',
        'url.scheme': 'http',
        'server.address': '127.0.0.1',
        'server.port': server.port,
        'user_agent.original': 'Stripe/1.0',
        'http.response.status_code': 202,
      },
    });
    expect(span?.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
  });

  it('names the client a proxy reports, the port a Host header implies, and redacts signed query values', async () => {
    const server = await serve((_req, res) => res.writeHead(202).end());
    await send(server.port, '/hooks/github?sig=abc&page=2', {
      host: 'hooks.example.com',
      'x-forwarded-for': '203.0.113.7, 10.0.0.2',
    });
    server.close();
    await expect.poll(() => ended().length).toBe(1);
    expect(ended()[0]?.attributes).toMatchObject({
      'client.address': '203.0.113.7',
      'network.peer.address': '127.0.0.1',
      'server.address': 'hooks.example.com',
      'server.port': 80,
      'url.query': 'sig=REDACTED&page=2',
    });
  });

  it('records an exception thrown by the listener as the span’s error', async () => {
    const wrapped = ownServerSpans(ownsHooks, ROUTE, () => {
      throw new Error('listener broke');
    });
    // What the process's uncaught-exception path would do, here in the test's hands.
    const server = createServer((req, res) => {
      try {
        wrapped(req, res);
      } catch {
        res.writeHead(500).end();
      }
    }).listen(0, '127.0.0.1');
    await once(server, 'listening');
    expect(await send((server.address() as AddressInfo).port, '/hooks/github')).toBe(500);
    server.close();
    await expect.poll(() => ended().length).toBe(1);
    expect(ended()[0]).toMatchObject({
      status: { code: SpanStatusCode.ERROR },
      events: [{ name: 'exception', attributes: { 'exception.message': 'listener broke' } }],
    });
  });

  it('marks a 5xx answer as an error', async () => {
    const server = await serve((_req, res) => res.writeHead(503).end());
    expect(await send(server.port, '/hooks/github')).toBe(503);
    server.close();
    await expect.poll(() => ended().length).toBe(1);
    expect(ended()[0]).toMatchObject({
      status: { code: SpanStatusCode.ERROR },
      attributes: { 'http.response.status_code': 503, 'error.type': '503' },
    });
  });

  it('ends the span of a request dropped before its answer, as aborted', async () => {
    const server = await serve((req) => req.socket.destroy());
    expect(await send(server.port, '/hooks/github')).toBe('reset');
    server.close();
    await expect.poll(() => ended().length).toBe(1);
    expect(ended()[0]?.attributes['error.type']).toBe('aborted');
    // Nothing was answered: no status to report.
    expect(ended()[0]?.attributes).not.toHaveProperty('http.response.status_code');
  });

  it('leaves a request it does not own alone: no span of its own, and the instrumentation is told so', async () => {
    const seen: { path: string | undefined; owned: boolean; spanned: boolean }[] = [];
    const server = await serve((req, res) => {
      seen.push({
        path: req.url,
        owned: isServerSpanOwned(req),
        spanned: trace.getActiveSpan() !== undefined,
      });
      res.writeHead(200).end();
    });
    expect(await send(server.port, '/api/v1/dead-letters')).toBe(200);
    expect(await send(server.port, '/hooks/github')).toBe(200);
    server.close();
    expect(seen).toEqual([
      { path: '/api/v1/dead-letters', owned: false, spanned: false },
      { path: '/hooks/github', owned: true, spanned: true },
    ]);
    await expect.poll(() => ended().length).toBe(1);
    expect(ended()[0]?.attributes['url.path']).toBe('/hooks/github');
  });

  it('hands an owned request to the listener past what wraps the server’s emit (the http instrumentation), and everything else through it', async () => {
    // What the http instrumentation does to every server, in miniature: its own emit around the
    // server's, seeing every event.
    const seenByWrapper: string[] = [];
    const wrapLikeTheInstrumentation = (server: Server) => {
      const original = server.emit.bind(server) as (
        event: string | symbol,
        ...args: unknown[]
      ) => boolean;
      server.emit = ((event: string | symbol, ...args: unknown[]) => {
        seenByWrapper.push(
          event === 'request' ? `request ${(args[0] as IncomingMessage).url ?? ''}` : String(event),
        );
        return original(event, ...args);
      }) as Server['emit'];
    };
    const answered: (string | undefined)[] = [];
    const server = await serve(
      (req, res) => {
        answered.push(req.url);
        res.writeHead(200).end();
      },
      (created) => {
        wrapLikeTheInstrumentation(created);
        passOwnedRequestsThrough(created);
      },
    );
    expect(await send(server.port, '/hooks/github')).toBe(200);
    expect(await send(server.port, '/api/v1/dead-letters')).toBe(200);
    server.close();
    expect(answered).toEqual(['/hooks/github', '/api/v1/dead-letters']);
    expect(seenByWrapper.filter((event) => event.startsWith('request'))).toEqual([
      'request /api/v1/dead-letters',
    ]);
    // Other events still go through it.
    expect(seenByWrapper).toContain('connection');
  });
});
