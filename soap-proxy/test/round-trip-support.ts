// Shared by the round-trip tests: soap-proxy configured from a WSDL alone, in front of a real SOAP
// server built from the same WSDL, so a test sees the exact envelope sent and the JSON made of the answer.
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listen } from '@manifold/platform/http';
import { createSchemaValidator } from '@manifold/platform/openapi';
import { silentLogger, startPhpServer } from '@manifold/platform/testing';
import { Keyv } from 'keyv';
import type soap from 'soap';
import { afterEach, expect } from 'vitest';
import { createApp } from '../src/app.ts';
import { ProxyConfig } from '../src/config.ts';
import { createSoapService, type SoapService } from '../src/services/soap-service.ts';
import { startSoapDouble, type SoapDouble } from './soap-double.ts';

/** A real-world WSDL from test/fixtures/wsdl/. */
export const fixture = (path: string) =>
  fileURLToPath(new URL(`../../test/fixtures/wsdl/${path}`, import.meta.url));

/** What the current test started; closed after each test by `registerCleanup()`. */
export const closers: (() => Promise<void>)[] = [];
export function registerCleanup(): void {
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });
}

export interface Proxied {
  service: SoapService;
  call: (
    path: string,
    body: unknown,
    headers?: Record<string, string>,
  ) => Promise<{ status: number; body: Record<string, unknown>; headers: Headers }>;
  /** The answer must validate against the schema the proxy publishes for the operation at `path`. */
  expectValidOutput: (path: string, body: unknown) => void;
}

/** soap-proxy in front of `endpoint`, configured from the WSDL alone (plus `extra` service settings). */
export async function serveProxy(
  name: string,
  wsdl: string,
  endpoint: string,
  extra: Record<string, unknown> = {},
): Promise<Proxied> {
  const [config] = ProxyConfig.parse({
    services: [{ name, wsdl, endpoint, resilience: { maxAttempts: 1 }, ...extra }],
  }).services;
  const service = await createSoapService(config!, { logger: silentLogger() });
  const { server, url }: { server: Server; url: string } = await listen(
    createApp({ services: [service], cache: new Keyv(), logger: silentLogger(), production: true }),
    { port: 0, host: '127.0.0.1' },
  );
  closers.push(async () => {
    await new Promise((resolve) => server.close(resolve));
    await service.close();
  });
  const validator = createSchemaValidator(service.api.document);
  return {
    service,
    call: async (path, body, headers = {}) => {
      const response = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      return {
        status: response.status,
        body: (await response.json()) as Record<string, unknown>,
        headers: response.headers,
      };
    },
    expectValidOutput: (path, body) => {
      const operation = service.operations.find((candidate) => candidate.path === path)!;
      const validate = validator.compile(operation.output);
      expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
    },
  };
}

/** A vendor double built by node-soap from the WSDL, and soap-proxy configured in front of it. */
export async function roundTrip(
  name: string,
  wsdl: string,
  implementations: soap.IServices,
  extra: Record<string, unknown> = {},
): Promise<Proxied & { double: SoapDouble }> {
  const double = await startSoapDouble(wsdl, implementations);
  closers.push(double.close);
  return { double, ...(await serveProxy(name, wsdl, double.url, extra)) };
}

export const lastEnvelope = (double: SoapDouble) => double.received.at(-1)!;

/**
 * A vendor double in PHP ext/soap (test/fixtures/<router>), a SOAP stack we did not write: it
 * appends every raw envelope it receives to $ENVELOPE_LOG, which `envelopes()` reads back.
 */
export async function phpDouble(router: string, env: Record<string, string>) {
  const log = join(mkdtempSync(join(tmpdir(), 'php-double-')), 'envelopes.xml');
  const php = await startPhpServer({
    router: fileURLToPath(new URL(`fixtures/${router}`, import.meta.url)),
    env: { ...env, ENVELOPE_LOG: log },
    workers: 1,
  });
  closers.push(php.stop);
  return {
    url: `${php.url}/soap`,
    envelopes: () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .split('<!--END-->')
            .map((envelope) => envelope.trim())
            .filter(Boolean)
        : [],
  };
}

/** A plain HTTP server on a free port for the current test (a supplier that misbehaves, a WSDL host). */
export async function httpServer(listener: RequestListener): Promise<string> {
  const server = createServer(listener);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  closers.push(
    () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
