import type { RequestListener, Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { listen } from '../src/http/listen.ts';

// The limits a client meets before any service code runs, over a real socket: what a slow-loris,
// a header flood or an oversized body gets back — typed problem+json, and the socket closed.

/** Answers with the size of the body it read (a GET's body has already ended when it arrives). */
const handler: RequestListener = (req, res) => {
  void (async () => {
    let bytes = 0;
    for await (const chunk of req) bytes += (chunk as Buffer).length;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ bytes }));
  })().catch(() => undefined); // a request cut by a timeout ends its body with an error: nothing to answer
};

let server: Server;
let port: number;
let url: string;

beforeAll(async () => {
  ({ server, port, url } = await listen(handler, {
    port: 0,
    host: '127.0.0.1',
    limits: {
      maxHeaderBytes: 2_048,
      headersTimeoutMs: 300,
      requestTimeoutMs: 600,
      keepAliveTimeoutMs: 400,
      bodyLimitBytes: 1_000,
    },
  }));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

interface RawExchange {
  socket: Socket;
  /** Everything the server sent so far. */
  received: () => string;
  closed: () => boolean;
}

/** A raw TCP connection to the server, writing `initial`; what comes back is collected. */
function rawConnection(initial: string): RawExchange {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  let closed = false;
  socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
  socket.on('close', () => (closed = true));
  socket.on('error', () => undefined);
  socket.write(initial);
  return { socket, received: () => received, closed: () => closed };
}

/** The status and problem+json body of a raw HTTP answer. */
function parseAnswer(raw: string): { status: number; type: string; problem: { code?: string } } {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
  const type = /content-type: ([^\r\n]+)/i.exec(head)?.[1] ?? '';
  return { status, type, problem: JSON.parse(body) as { code?: string } };
}

describe('HTTP edge limits (platform listen)', () => {
  it('answers headers that never finish arriving (slow-loris) with 408 REQUEST_TIMEOUT and closes the socket', async () => {
    const loris = rawConnection('GET / HTTP/1.1\r\nHost: x\r\nX-Slow: a');
    await vi.waitFor(
      () => {
        expect(loris.closed()).toBe(true);
      },
      { timeout: 5_000, interval: 50 },
    );
    const answer = parseAnswer(loris.received());
    expect(answer.status).toBe(408);
    expect(answer.type).toBe('application/problem+json');
    expect(answer.problem.code).toBe('REQUEST_TIMEOUT');
  });

  it('answers a body that never finishes arriving with 408 REQUEST_TIMEOUT', async () => {
    const slow = rawConnection(
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":',
    );
    await vi.waitFor(
      () => {
        expect(slow.closed()).toBe(true);
      },
      { timeout: 5_000, interval: 50 },
    );
    const answer = parseAnswer(slow.received());
    expect(answer.status).toBe(408);
    expect(answer.problem.code).toBe('REQUEST_TIMEOUT');
  });

  it('answers headers over the limit with 431 HEADERS_TOO_LARGE', async () => {
    const flood = rawConnection(
      `GET / HTTP/1.1\r\nHost: x\r\nCookie: ${'c'.repeat(4_000)}\r\n\r\n`,
    );
    await vi.waitFor(
      () => {
        expect(flood.closed()).toBe(true);
      },
      { timeout: 5_000, interval: 50 },
    );
    const answer = parseAnswer(flood.received());
    expect(answer.status).toBe(431);
    expect(answer.problem.code).toBe('HEADERS_TOO_LARGE');
  });

  it('refuses a declared body over the limit with 413 PAYLOAD_TOO_LARGE, and serves one within it', async () => {
    const refused = await fetch(url, { method: 'POST', body: 'x'.repeat(1_001) });
    expect(refused.status).toBe(413);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(((await refused.json()) as { code: string }).code).toBe('PAYLOAD_TOO_LARGE');

    const accepted = await fetch(url, { method: 'POST', body: 'x'.repeat(1_000) });
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toEqual({ bytes: 1_000 });
  });

  it('answers malformed HTTP with 400 BAD_REQUEST', async () => {
    const garbage = rawConnection('NOT HTTP AT ALL\r\n\r\n');
    await vi.waitFor(
      () => {
        expect(garbage.closed()).toBe(true);
      },
      { timeout: 5_000, interval: 50 },
    );
    const answer = parseAnswer(garbage.received());
    expect(answer.status).toBe(400);
    expect(answer.problem.code).toBe('BAD_REQUEST');
  });

  it('serves requests on a keep-alive connection, then closes it once idle for the keep-alive timeout', async () => {
    const client = rawConnection('GET /1 HTTP/1.1\r\nHost: x\r\n\r\n');
    await vi.waitFor(
      () => {
        expect(client.received()).toContain('{"bytes":0}');
      },
      { timeout: 5_000, interval: 20 },
    );
    client.socket.write('GET /2 HTTP/1.1\r\nHost: x\r\n\r\n');
    await vi.waitFor(
      () => {
        expect(client.received().match(/HTTP\/1\.1 200/g)).toHaveLength(2);
      },
      { timeout: 5_000, interval: 20 },
    );
    expect(client.closed()).toBe(false);
    await vi.waitFor(
      () => {
        expect(client.closed()).toBe(true);
      },
      { timeout: 5_000, interval: 50 },
    );
    expect(client.received()).not.toContain('408');
  });
});
