import { createServer, type IncomingMessage, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { networkErrorCode } from '@manifold/platform/resilience';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { undiciHttpClient } from './undici-http-client.ts';

interface Received {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let url: string;
let received: Received | undefined;
const dispatcher = new Agent();

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

/** node-soap's calling convention: request(url, body, callback, headers, options). */
function call(
  path: string,
  options: { timeout?: number; signal?: AbortSignal } = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: unknown }> {
  const client = undiciHttpClient(dispatcher);
  return new Promise((resolve, reject) => {
    void client.request(
      `${url}${path}`,
      '<Envelope/>',
      (
        error: unknown,
        response?: { status: number; headers: Record<string, unknown> },
        body?: unknown,
      ) => {
        if (error)
          reject(error instanceof Error ? error : new Error('not an Error', { cause: error }));
        else if (response) resolve({ status: response.status, headers: response.headers, body });
      },
      {
        'Content-Type': 'text/xml; charset=utf-8',
        SOAPAction: '"urn:Get"',
        Authorization: 'Basic eDp5',
      },
      options,
    );
  });
}

describe('undiciHttpClient (node-soap over undici)', () => {
  it('sends the envelope with node-soap headers, and hands back an error status with its headers and body', async () => {
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
      body: '<fault/>',
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
    const error = await call('/silent', { timeout: 100 }).catch((caught: unknown) => caught);
    expect(networkErrorCode(error)).toBe('UND_ERR_HEADERS_TIMEOUT');
  });

  it('follows a 307 with the same POST and body, as axios did', async () => {
    const answer = await call('/moved');
    expect(received).toMatchObject({ method: 'POST', url: '/soap?moved=1', body: '<Envelope/>' });
    expect(answer.status).toBe(500);
  });

  it('inflates a gzip answer and decodes the charset the answer names', async () => {
    expect((await call('/gzip')).body).toBe('<ok>zipped</ok>');
    expect((await call('/latin1')).body).toBe('<currency>KÄR</currency>');
  });
});
