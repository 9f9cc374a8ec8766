import type { DeadLetterRecorder } from '@manifold/platform/dead-letters';
import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listen, type EdgeMiddleware, type ListenTls } from '@manifold/platform/http';
import { silentLogger, startPhpServer, type PhpServer } from '@manifold/platform/testing';
import { Keyv } from 'keyv';
import { createApp } from '../src/app.ts';
import { ProxyConfig } from '../src/config.ts';
import { createSoapService, type SoapService } from '../src/services/soap-service.ts';

const ROUTER = fileURLToPath(new URL('../../upstreams/soap-supplier/router.php', import.meta.url));
export const SUPPLIER_WSDL = fileURLToPath(
  new URL('../../upstreams/soap-supplier/supplier.wsdl', import.meta.url),
);

export interface Supplier extends PhpServer {
  plan: (plan: {
    operation: string;
    mode: 'http503' | 'http500' | 'http429' | 'fault' | 'latency';
    times?: number;
    latencyMs?: number;
    /** http429: the Retry-After the supplier sends (s). */
    retryAfterSeconds?: number;
  }) => Promise<void>;
  calls: (operation: string) => Promise<number>;
  reset: () => Promise<void>;
}

/** The reference PHP supplier on a free port, with its own database (and, if given, a delay before every call). */
export async function startSupplier({ latencyMs }: { latencyMs?: number } = {}): Promise<Supplier> {
  const server = await startPhpServer({
    router: ROUTER,
    env: {
      SUPPLIER_DATABASE_PATH: join(mkdtempSync(join(tmpdir(), 'supplier-')), 'supplier.sqlite'),
      ...(latencyMs === undefined ? {} : { SUPPLIER_LATENCY_MS: String(latencyMs) }),
    },
  });
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method: 'POST',
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  };
  return {
    ...server,
    plan: (plan) => post('/_test/plan', { times: -1, ...plan }),
    reset: () => post('/_test/reset', {}),
    calls: async (operation) =>
      (
        (await (await fetch(`${server.url}/_test/calls?operation=${operation}`)).json()) as {
          count: number;
        }
      ).count,
  };
}

export interface Proxy {
  url: string;
  service: SoapService;
  close: () => Promise<void>;
}

/**
 * soap-proxy in process, over HTTP (or HTTPS with `tls`) on a free port, for one service config
 * (defaults filled by the real schema); `edge` checks run in front of it, as main.ts wires them.
 */
export async function startProxy(
  service: Record<string, unknown>,
  cache: Keyv = new Keyv(),
  {
    edge = [],
    tls,
    deadLetters,
  }: { edge?: readonly EdgeMiddleware[]; tls?: ListenTls; deadLetters?: DeadLetterRecorder } = {},
): Promise<Proxy> {
  const [config] = ProxyConfig.parse({
    services: [{ name: 'supplier', wsdl: SUPPLIER_WSDL, ...service }],
  }).services;
  const soapService = await createSoapService(config!, {
    logger: silentLogger('soap-proxy'),
    deadLetters,
  });
  const { server, url }: { server: Server; url: string } = await listen(
    createApp({
      services: [soapService],
      deadLetters: deadLetters?.state ?? 'unconfigured',
      cache,
      logger: silentLogger('soap-proxy'),
      production: true,
      edge,
    }),
    { port: 0, host: '127.0.0.1', tls },
  );
  return {
    url,
    service: soapService,
    close: async () => {
      await soapService.close();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
}

export async function post(proxy: Proxy, operation: string, body: unknown) {
  const response = await fetch(`${proxy.url}/api/v1/supplier/${operation}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}
