import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPhpServer, type PhpServer } from '@manifold/platform/testing';
import type { FuzzEdge, RunningEdge } from './edges.ts';
import { openApiFuzz } from './openapi-edge.ts';
import type { RestRequestCase } from './rest-requests.ts';
import { e2eAccess } from '../e2e/support/access.ts';
import {
  freePort,
  REPO_ROOT,
  startService,
  type ServiceProcess,
} from '../e2e/support/processes.ts';

/** Each REST route's scope, read and write: the fuzz's caller may call every route. */
const scopesOf = (resources: readonly string[]) =>
  resources.flatMap((resource) => [`${resource}:read`, `${resource}:write`]);

/**
 * A REST facade in production mode, as a process, in front of its real PHP upstream: fuzzed from
 * its own /openapi.json (every operation), every answer checked against that document too.
 */
async function facadeEdge({
  name,
  entry,
  upstream,
  env,
  scopes,
  warmUp,
}: {
  name: string;
  entry: string;
  upstream: () => Promise<PhpServer>;
  env: (upstreamUrl: string) => Record<string, string>;
  scopes: readonly string[];
  warmUp: (url: string, credentials: Record<string, string>) => Promise<void>;
}): Promise<RunningEdge<RestRequestCase>> {
  const php = await upstream();
  let service: ServiceProcess;
  const access = e2eAccess(scopes);
  try {
    service = await startService({
      name,
      entry,
      port: await freePort(),
      env: { NODE_ENV: 'production', ACCESS_FILE: access.ACCESS_FILE, ...env(php.url) },
      readyPath: '/healthz',
    });
  } catch (error) {
    await php.stop();
    throw error;
  }
  const credentials = { 'x-api-key': access.key };
  const { arbitrary, send, check } = await openApiFuzz(service.url, credentials);
  return {
    arbitrary,
    send,
    check,
    processes: [{ name, pid: service.child.pid ?? 0, baseUrl: service.url }],
    warmUp: () => warmUp(service.url, credentials),
    stop: async () => {
      await service.stop();
      await php.stop();
    },
  };
}

const scratch = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

/** soap-proxy (services.json as shipped) in front of the reference PHP SOAP supplier. */
export const soapProxyEdge: FuzzEdge<RestRequestCase> = {
  name: 'soap-proxy',
  ciRuns: 300,
  clientSideOnly: true,
  start: () =>
    facadeEdge({
      name: 'soap-proxy',
      entry: 'soap-proxy/src/main.ts',
      upstream: () =>
        startPhpServer({
          router: join(REPO_ROOT, 'upstreams/soap-supplier/router.php'),
          env: { SUPPLIER_DATABASE_PATH: join(scratch('fuzz-supplier-'), 'supplier.sqlite') },
        }),
      env: (url) => ({ SUPPLIER_URL: `${url}/` }),
      scopes: scopesOf(['supplier']),
      warmUp: async (url, credentials) => {
        for (let i = 1; i <= 20; i++)
          await fetch(`${url}/api/v1/supplier/GetStockLevel`, {
            method: 'POST',
            headers: { ...credentials, 'content-type': 'application/json' },
            body: JSON.stringify({ sku: `SKU-${String(i).padStart(5, '0')}` }),
          }).then((response) => response.arrayBuffer());
      },
    }),
};

/** legacy-rest-adapter in front of the reference PHP monolith (its own database). */
export const legacyAdapterEdge: FuzzEdge<RestRequestCase> = {
  name: 'legacy-rest-adapter',
  ciRuns: 300,
  clientSideOnly: true,
  start: () => {
    const data = scratch('fuzz-legacy-');
    return facadeEdge({
      name: 'legacy-rest-adapter',
      entry: 'legacy-rest-adapter/src/main.ts',
      upstream: () =>
        startPhpServer({
          router: join(REPO_ROOT, 'upstreams/php-monolith/router.php'),
          env: {
            LEGACY_DATABASE_PATH: join(data, 'legacy.sqlite'),
            LEGACY_SESSION_PATH: join(data, 'sessions'),
          },
        }),
      env: (url) => ({ LEGACY_URL: url }),
      scopes: scopesOf(['customers', 'invoices', 'tickets']),
      warmUp: async (url, credentials) => {
        for (let id = 1; id <= 20; id++)
          for (const path of [`/api/v2/customers/${String(id)}`, `/api/v2/tickets/${String(id)}`])
            await fetch(`${url}${path}`, { headers: credentials }).then((response) =>
              response.arrayBuffer(),
            );
      },
    });
  },
};
