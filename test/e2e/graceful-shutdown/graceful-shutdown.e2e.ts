import { createServer, request as httpRequest, type Server } from 'node:http';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql, startStack, type Stack } from '../support/stack.ts';

const DELAY_MS = 1_500;

/** A proxy that holds every request for DELAY_MS before forwarding it: makes a query slow on purpose. */
async function startSlowProxy(target: () => string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      setTimeout(() => {
        const upstream = httpRequest(
          target(),
          { method: req.method, headers: req.headers },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        upstream.on('error', () => res.writeHead(502).end());
        upstream.end(Buffer.concat(chunks));
      }, DELAY_MS);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${address.port}/graphql` };
}

describe('SIGTERM while a request is in flight', () => {
  let stack: Stack;
  let proxy: { server: Server; url: string };
  let productsUrl = '';
  beforeAll(async () => {
    proxy = await startSlowProxy(() => productsUrl);
    stack = await startStack({
      gatewayUrlFor: {
        products: (real) => {
          productsUrl = real;
          return proxy.url;
        },
      },
      gatewayEnv: { SHUTDOWN_GRACE_MS: '10000' },
    });
  });
  afterAll(async () => {
    await stack.stop();
    proxy.server.close();
  });

  it('finishes the slow request, then the gateway exits cleanly and refuses new work', async () => {
    const started = Date.now();
    const slow = graphql<{ product: { name: string } | null }>(
      stack.gateway.url,
      '{ product(id: "1") { name } }',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    stack.gateway.child.kill('SIGTERM');

    const answer = await slow;
    expect(Date.now() - started).toBeGreaterThanOrEqual(DELAY_MS);
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data?.product?.name).toEqual(expect.any(String));

    expect(await stack.gateway.exited).toBe(0);
    // It exited because it drained, not because the 10 s grace period ran out.
    expect(Date.now() - started).toBeLessThan(DELAY_MS + 5_000);
    await expect(fetch(`${stack.gateway.url}/healthz`)).rejects.toThrow();
  });
});
