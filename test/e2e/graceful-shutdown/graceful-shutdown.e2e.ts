// SIGTERM in production, where Apollo's own signal handling once cut the drain short: each layer
// of a slow request (gateway → products subgraph → soap-proxy facade → PHP SOAP supplier) is
// told to stop while the request is in flight, finishes it, then exits 0 having drained.
import { createServer, request as httpRequest, type Server } from 'node:http';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPhpServer, type PhpServer } from '@manifold/platform/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { REPO_ROOT, type ServiceProcess } from '../support/processes.ts';
import { graphql, startStack, SUBGRAPH_NAMES, type Stack } from '../support/stack.ts';
import { startSupplierChain, type SupplierChain } from '../support/supplier-chain.ts';

// Under soap-proxy's per-call supplier timeout (1 s in soap-proxy/services.json): slow, not failed.
const DELAY_MS = 600;
const PRODUCTION = { NODE_ENV: 'production', LOG_LEVEL: 'info', SHUTDOWN_GRACE_MS: '20000' };

/** A proxy that holds every POST (each SOAP call) for DELAY_MS; WSDL GETs pass at once. */
async function startSlowProxy(
  target: string,
): Promise<{ server: Server; url: string; held: () => number }> {
  let held = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method === 'POST') held++;
      setTimeout(
        () => {
          const upstream = httpRequest(
            new URL(req.url ?? '/', target),
            { method: req.method, headers: req.headers },
            (answer) => {
              res.writeHead(answer.statusCode ?? 502, answer.headers);
              answer.pipe(res);
            },
          );
          upstream.on('error', () => res.writeHead(502).end());
          upstream.end(Buffer.concat(chunks));
        },
        req.method === 'POST' ? DELAY_MS : 0,
      );
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${port}`, held: () => held };
}

/** pino records a process wrote, by message. */
const logged = (service: ServiceProcess, message: string) =>
  service
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg?: string })
    .filter((record) => record.msg === message).length;

describe('SIGTERM in production while a slow request is in flight', () => {
  let supplier: PhpServer;
  let slow: Awaited<ReturnType<typeof startSlowProxy>>;
  let soapProxy: ServiceProcess;
  let stack: Stack;
  let chain: SupplierChain;
  let thirdSku = '';

  beforeAll(async () => {
    supplier = await startPhpServer({
      router: join(REPO_ROOT, 'upstreams/soap-supplier/router.php'),
      env: {
        SUPPLIER_DATABASE_PATH: join(
          mkdtempSync(join(tmpdir(), 'shutdown-e2e-')),
          'supplier.sqlite',
        ),
      },
    });
    slow = await startSlowProxy(supplier.url);
    chain = await startSupplierChain(slow.url, PRODUCTION);
    soapProxy = chain.proxy;
    stack = await startStack({
      subgraphEnv: Object.fromEntries(
        SUBGRAPH_NAMES.map((name) => [
          name,
          { ...PRODUCTION, ...(name === 'products' ? chain.productsEnv : {}) },
        ]),
      ),
      gatewayEnv: PRODUCTION,
    });
    const { body } = await graphql<{ product: { sku: string } }>(
      stack.subgraphs.products.url,
      '{ product(id: "3") { sku } }',
      {},
      await stack.identity.headers(),
    );
    thirdSku = body.data?.product.sku ?? '';
  });
  afterAll(async () => {
    await stack.stop();
    await chain.stop();
    slow.server.close();
    await supplier.stop();
  });

  /** Sends `request`, SIGTERMs `service` once the call is held upstream, and checks the drain. */
  async function expectDrainThenExit<T>(
    service: ServiceProcess,
    request: () => Promise<T>,
  ): Promise<T> {
    const heldBefore = slow.held();
    const answer = request();
    await vi.waitFor(() => {
      expect(slow.held()).toBeGreaterThan(heldBefore);
    });
    service.child.kill('SIGTERM');
    const result = await answer;
    expect(await service.exited).toBe(0);
    expect(logged(service, 'shutdown complete'), service.output()).toBe(1);
    // It drained: the request ended it, not the grace period.
    expect(logged(service, 'grace period over: closing remaining connections')).toBe(0);
    await expect(fetch(`${service.url}/healthz`)).rejects.toThrow();
    return result;
  }

  const stockQuery = (id: number) => `{ product(id: "${id}") { sku supplierStock { available } } }`;
  interface Stock {
    product: { sku: string; supplierStock: { available: number } | null };
  }

  // A product per test: an answer cached on the way would not be slow.
  it('the gateway finishes the request, then exits 0', async () => {
    const { status, body } = await expectDrainThenExit(stack.gateway, () =>
      graphql<Stock>(stack.gateway.url, stockQuery(1)),
    );
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data?.product.supplierStock?.available).toEqual(expect.any(Number));
  });

  it('a subgraph (products) finishes the request, then exits 0', async () => {
    const subgraphHeaders = await stack.identity.headers();
    const { status, body } = await expectDrainThenExit(stack.subgraphs.products, () =>
      graphql<Stock>(stack.subgraphs.products.url, stockQuery(2), {}, subgraphHeaders),
    );
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data?.product.supplierStock?.available).toEqual(expect.any(Number));
  });

  it('a facade (soap-proxy) finishes the request, then exits 0', async () => {
    const token = await chain.partnerToken();
    const response = await expectDrainThenExit(soapProxy, () =>
      fetch(`${soapProxy.url}/api/v1/supplier/GetStockLevel`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
        },
        body: JSON.stringify({ sku: thirdSku }), // not asked before: no cached answer
      }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ level: { available: expect.any(Number) } });
  });
});
