import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTEMPT_RESPONSE_CHARS } from '@manifold/platform/contracts';
import { createDestinationClient, DestinationTimeoutError } from './destination-client.ts';

// A destination on loopback that answers by path: what it received is echoed back in the answer.
let server: Server;
let base: string;
const received: { path: string; headers: Record<string, unknown>; body: string }[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body });
      if (req.url === '/hang') return; // never answers
      if (req.url === '/drip') {
        // Answers 200, then sends its body a piece every 100 ms, without end: undici's body
        // timeout, which restarts with each piece, never fires.
        res.writeHead(200);
        res.write('started');
        const drip = setInterval(() => {
          res.write('.');
        }, 100);
        res.on('close', () => {
          clearInterval(drip);
        });
        return;
      }
      if (req.url === '/busy') res.writeHead(503, { 'retry-after': '7' }).end('later');
      else if (req.url === '/moved') res.writeHead(302, { location: '/elsewhere' }).end();
      else if (req.url === '/large') res.writeHead(200).end('é'.repeat(5_000));
      else res.writeHead(201).end('made');
    });
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  base = `http://127.0.0.1:${address.port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const request = { headers: { 'content-type': 'application/json', 'idempotency-key': 'k-1' } };

describe('the destination client', () => {
  it('POSTs the body with its headers and the query, and reads the status and the answer', async () => {
    const client = createDestinationClient();
    try {
      const answer = await client.post(`${base}/events?tenant=a`, {
        ...request,
        body: '{"a":1}',
        timeoutMs: 2_000,
      });
      expect(answer).toEqual({ status: 201, retryAfter: undefined, excerpt: 'made' });
      expect(received.at(-1)).toMatchObject({
        path: '/events?tenant=a',
        headers: { 'idempotency-key': 'k-1', 'content-type': 'application/json' },
        body: '{"a":1}',
      });
    } finally {
      await client.close();
    }
  });

  it('returns a 5xx with its Retry-After, and a 3xx as it is (no redirect followed)', async () => {
    const client = createDestinationClient();
    try {
      expect(
        await client.post(`${base}/busy`, { ...request, body: '{}', timeoutMs: 2_000 }),
      ).toEqual({ status: 503, retryAfter: '7', excerpt: 'later' });
      const before = received.length;
      expect(
        await client.post(`${base}/moved`, { ...request, body: '{}', timeoutMs: 2_000 }),
      ).toMatchObject({ status: 302 });
      expect(received.length).toBe(before + 1);
    } finally {
      await client.close();
    }
  });

  it('keeps at most 500 characters of a long answer, whole characters', async () => {
    const client = createDestinationClient();
    try {
      const { excerpt } = await client.post(`${base}/large`, {
        ...request,
        body: '{}',
        timeoutMs: 2_000,
      });
      expect(excerpt).toBe('é'.repeat(ATTEMPT_RESPONSE_CHARS));
    } finally {
      await client.close();
    }
  });

  it('gives up on a destination that does not answer, with a timeout error', async () => {
    const client = createDestinationClient();
    try {
      await expect(
        client.post(`${base}/hang`, { ...request, body: '{}', timeoutMs: 200 }),
      ).rejects.toBeInstanceOf(DestinationTimeoutError);
    } finally {
      await client.close();
    }
  });

  it('ends an attempt at its deadline even while the body still trickles in, and counts the 200 it answered', async () => {
    const client = createDestinationClient();
    try {
      const answer = await client.post(`${base}/drip`, { ...request, body: '{}', timeoutMs: 500 });
      expect(answer).toMatchObject({ status: 200 });
      expect(answer.excerpt.startsWith('started')).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('rejects with the network error when nothing listens', async () => {
    const client = createDestinationClient();
    try {
      await expect(
        client.post('http://127.0.0.1:9/nobody', { ...request, body: '{}', timeoutMs: 2_000 }),
      ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      await client.close();
    }
  });
});
