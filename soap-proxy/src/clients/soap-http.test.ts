import { createServer, type IncomingMessage, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { networkErrorCode } from '@manifold/platform/resilience';
import { OriginPools } from './origin-pools.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSoapHttp } from './soap-http.ts';

interface Received {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let url: string;
let received: Received | undefined;
const dispatcher = new OriginPools(); // the dispatcher soap-proxy's services use

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received = { method: req.method, url: req.url, headers: req.headers, body };
      if (req.url === '/silent') return; // never answers
      if (req.url === '/moved') {
        res.writeHead(307, { location: '/soap?moved=1' }).end();
        return;
      }
      if (req.url === '/gzip') {
        res.writeHead(200, { 'content-type': 'text/xml', 'content-encoding': 'gzip' });
        res.end(gzipSync('<ok>zipped</ok>'));
        return;
      }
      if (req.url === '/bomb') {
        // 16 KiB on the wire, 16 MiB inflated: the limit applies to what it inflates to.
        res.writeHead(200, { 'content-type': 'text/xml', 'content-encoding': 'gzip' });
        res.end(gzipSync(Buffer.alloc(16 * 1024 * 1024, 32)));
        return;
      }
      if (req.url === '/latin1') {
        res.writeHead(200, { 'content-type': 'text/xml; charset=ISO-8859-1' });
        res.end(Buffer.from('<currency>KÄR</currency>', 'latin1'));
        return;
      }
      res.writeHead(500, { 'content-type': 'text/xml; charset=utf-8', 'retry-after': '7' });
      res.end('<fault/>');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await dispatcher.close();
});

const MAX_RESPONSE_BYTES = 1024 * 1024;
const post = createSoapHttp(dispatcher, {
  upstream: 'supplier',
  maxResponseBytes: MAX_RESPONSE_BYTES,
});
function call(path: string, { timeoutMs = 5_000, signal = new AbortController().signal } = {}) {
  return post({
    url: `${url}${path}`,
    body: '<Envelope/>',
    headers: {
      'content-type': 'text/xml; charset=utf-8',
      soapaction: '"urn:Get"',
      authorization: 'Basic eDp5',
    },
    signal,
    timeoutMs,
  });
}

describe('createSoapHttp (envelopes over the service’s undici pool)', () => {
  it('sends the envelope with its headers, and hands back an error status with its headers and body', async () => {
    const answer = await call('/soap?x=1');
    expect(received).toMatchObject({
      method: 'POST',
      url: '/soap?x=1',
      body: '<Envelope/>',
      headers: {
        'content-type': 'text/xml; charset=utf-8',
        soapaction: '"urn:Get"',
        authorization: 'Basic eDp5',
        'content-length': String('<Envelope/>'.length),
      },
    });
    // A 500 is an answer (a SOAP fault travels in one), not a transport error.
    expect(answer).toMatchObject({
      status: 500,
      text: '<fault/>',
      headers: { 'retry-after': '7' },
    });
  });

  it('rejects a cancelled call with ERR_CANCELED, which the policy reads as a timeout', async () => {
    const controller = new AbortController();
    const pending = call('/silent', { signal: controller.signal });
    setTimeout(() => {
      controller.abort();
    }, 50);
    const error = await pending.catch((caught: unknown) => caught);
    expect(networkErrorCode(error)).toBe('ERR_CANCELED');
  });

  it('gives up on an answer that does not come within `timeout`', async () => {
    const error = await call('/silent', { timeoutMs: 100 }).catch((caught: unknown) => caught);
    expect(networkErrorCode(error)).toBe('UND_ERR_HEADERS_TIMEOUT');
  });

  it('follows a 307 with the same POST and body', async () => {
    const answer = await call('/moved');
    expect(received).toMatchObject({ method: 'POST', url: '/soap?moved=1', body: '<Envelope/>' });
    expect(answer.status).toBe(500);
  });

  it('stops inflating past maxResponseBytes: UPSTREAM_RESPONSE_TOO_LARGE, not a process out of memory', async () => {
    await expect(call('/bomb')).rejects.toMatchObject({
      code: 'UPSTREAM_RESPONSE_TOO_LARGE',
      upstream: 'supplier',
    });
  });

  it('inflates a gzip answer and decodes the charset the answer names', async () => {
    expect((await call('/gzip')).text).toBe('<ok>zipped</ok>');
    expect((await call('/latin1')).text).toBe('<currency>KÄR</currency>');
  });
});
