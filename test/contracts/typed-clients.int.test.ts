import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startPhpServer, type PhpServer } from '@manifold/platform/testing';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { e2eAccess } from '../e2e/support/access.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  REPO_ROOT,
  startService,
  type ServiceProcess,
} from '../e2e/support/processes.ts';

// What a client team does with a facade: fetch its /openapi.json, generate types with
// openapi-typescript, write calls with openapi-fetch, type-check them with tsc — and run that very
// code against the real service over its real upstream. The project lives under .data/
// (git-ignored), so it resolves openapi-fetch from the repository's node_modules, for tsc and at
// run time alike.

/** Client code, one file per concern; `paths` comes from the generated `<facade>-api.ts`. */
const CLIENTS = {
  'legacy-client.ts': `import createClient from 'openapi-fetch';
import type { paths } from './legacy-api.ts';

export async function openTicket(baseUrl: string, apiKey: string, idempotencyKey: string) {
  const api = createClient<paths>({ baseUrl, headers: { 'x-api-key': apiKey } });
  // No \`urgent\`: it has a default, so a client may leave it out.
  const { data, error, response } = await api.POST('/api/v2/tickets', {
    params: { header: { 'idempotency-key': idempotencyKey } },
    body: { customerId: 21, subject: 'Typed' },
  });
  if (error) throw new Error(\`\${response.status} \${error.code}\`);
  const status: 'open' | 'pending' | 'closed' = data.status;
  return {
    id: data.id,
    status,
    location: response.headers.get('location'),
    replayed: response.headers.get('idempotent-replayed'),
  };
}

export async function grossOf(baseUrl: string, apiKey: string, id: number) {
  const api = createClient<paths>({ baseUrl, headers: { 'x-api-key': apiKey } });
  const v2 = await api.GET('/api/v2/invoices/{id}', { params: { path: { id } } });
  const v1 = await api.GET('/api/v1/invoices/{id}', { params: { path: { id } } });
  const money: { amount: string; currency: string } | undefined = v2.data?.gross;
  const decimal: string | undefined = v1.data?.gross;
  // @ts-expect-error v2 money is { amount, currency }, not v1's decimal string
  const mixedUp: string | undefined = v2.data?.gross;
  return { money, decimal, mixedUp };
}
`,
  'legacy-without-key.ts': `import createClient from 'openapi-fetch';
import type { paths } from './legacy-api.ts';

export const attempt = (baseUrl: string) =>
  createClient<paths>({ baseUrl }).POST('/api/v2/tickets', {
    body: { customerId: 21, subject: 'No key' },
  });
`,
  'supplier-client.ts': `import createClient from 'openapi-fetch';
import type { paths } from './supplier-api.ts';

export async function stockOf(baseUrl: string, apiKey: string, sku: string) {
  const api = createClient<paths>({ baseUrl, headers: { 'x-api-key': apiKey } });
  const { data, error, response } = await api.POST('/api/v1/supplier/GetStockLevel', {
    body: { sku },
  });
  if (error) throw new Error(\`\${response.status} \${error.code}\`);
  const available: number = data.level.available;
  return { sku: data.level.sku, available };
}
`,
};
type ClientFile = keyof typeof CLIENTS;

// What the client files export, as the tests call them.
interface LegacyClient {
  openTicket: (
    baseUrl: string,
    apiKey: string,
    idempotencyKey: string,
  ) => Promise<{ id: number; status: string; location: string | null; replayed: string | null }>;
  grossOf: (baseUrl: string, apiKey: string, id: number) => Promise<Record<string, unknown>>;
}
interface SupplierClient {
  stockOf: (baseUrl: string, apiKey: string, sku: string) => Promise<unknown>;
}

mkdirSync(join(REPO_ROOT, '.data'), { recursive: true });
const project = mkdtempSync(join(REPO_ROOT, '.data/typed-clients-'));
const scratch = mkdtempSync(join(tmpdir(), 'typed-clients-'));
// A partner's API key, allowed what the calls below do.
const access = e2eAccess(['tickets:write', 'tickets:read', 'invoices:read', 'supplier:read']);

/** Generates `<name>.ts` (openapi-typescript, default options) from a service's /openapi.json. */
async function generateTypes(name: string, serviceUrl: string): Promise<void> {
  const document = (await (await fetch(`${serviceUrl}/openapi.json`)).json()) as object;
  writeFileSync(join(project, `${name}.ts`), astToString(await openapiTS(document as never)));
}

/** tsc over every client file at once (strict): its diagnostics, as text, by file. */
function typeCheck(): Record<string, string[]> {
  const program = ts.createProgram(
    Object.keys(CLIENTS).map((file) => join(project, file)),
    {
      strict: true,
      exactOptionalPropertyTypes: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2023,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      allowImportingTsExtensions: true,
      lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
      types: [],
    },
  );
  const byFile: Record<string, string[]> = {};
  for (const file of Object.keys(CLIENTS)) byFile[file] = [];
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const file = diagnostic.file?.fileName.slice(project.length + 1) ?? '(no file)';
    (byFile[file] ??= []).push(ts.flattenDiagnosticMessageText(diagnostic.messageText, ' '));
  }
  return byFile;
}

/** Runs a client file: the very code tsc checked. */
const load = async <Module>(file: ClientFile) =>
  (await import(pathToFileURL(join(project, file)).href)) as Module;

let adapter: ServiceProcess;
let proxy: ServiceProcess;
let diagnostics: Record<string, string[]>;
/** tsc's complaints about `files` (a client, the types generated for it) and about no file at all. */
const errorsIn = (...files: string[]) =>
  [...files, '(no file)'].flatMap((file) => diagnostics[file] ?? []);
// Whatever was started is stopped afterwards, in reverse order, even when a later start failed.
const stops: (() => Promise<unknown>)[] = [];
const started = <T extends PhpServer | ServiceProcess>(process: T): T => {
  stops.unshift(() => process.stop());
  return process;
};
beforeAll(async () => {
  // The client files import openapi-fetch as a client project would (a root devDependency).
  try {
    import.meta.resolve('openapi-fetch');
  } catch (error) {
    throw new Error('openapi-fetch is not installed: run npm ci', { cause: error });
  }
  const [monolith, supplier] = await Promise.all([
    startPhpServer({
      router: join(REPO_ROOT, 'upstreams/php-monolith/router.php'),
      env: {
        LEGACY_DATABASE_PATH: join(scratch, 'legacy.sqlite'),
        LEGACY_SESSION_PATH: join(scratch, 'sessions'),
      },
    }).then(started),
    startPhpServer({
      router: join(REPO_ROOT, 'upstreams/soap-supplier/router.php'),
      env: { SUPPLIER_DATABASE_PATH: join(scratch, 'supplier.sqlite') },
    }).then(started),
  ]);
  [adapter, proxy] = await Promise.all([
    startService({
      name: 'legacy-rest-adapter',
      entry: 'legacy-rest-adapter/src/main.ts',
      port: await freePort(),
      env: { LEGACY_URL: monolith.url, ACCESS_FILE: access.ACCESS_FILE },
      readyPath: '/healthz',
    }).then(started),
    startService({
      name: 'soap-proxy',
      entry: 'soap-proxy/src/main.ts',
      port: await freePort(),
      env: { SUPPLIER_URL: `${supplier.url}/`, ACCESS_FILE: access.ACCESS_FILE },
      readyPath: '/healthz',
    }).then(started),
  ]);
  await Promise.all([
    generateTypes('legacy-api', adapter.url),
    generateTypes('supplier-api', proxy.url),
  ]);
  for (const [file, source] of Object.entries(CLIENTS)) writeFileSync(join(project, file), source);
  diagnostics = typeCheck();
});
afterAll(async () => {
  for (const stop of stops) await stop();
  rmSync(project, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

describe('a client generated from legacy-rest-adapter’s /openapi.json (openapi-typescript + openapi-fetch)', () => {
  it('type-checks opening a ticket with an Idempotency-Key, and opens it: the header really goes out', async () => {
    expect(errorsIn('legacy-client.ts', 'legacy-api.ts')).toEqual([]);
    const client = await load<LegacyClient>('legacy-client.ts');
    const key = randomUUID();
    const opened = await client.openTicket(adapter.url, access.key, key);
    expect(opened).toMatchObject({ status: 'open', replayed: null });
    expect(opened.location).toBe(`/api/v2/tickets/${opened.id}`);
    // Sent with the same key again, the first answer is replayed.
    expect(await client.openTicket(adapter.url, access.key, key)).toEqual({
      ...opened,
      replayed: 'true',
    });
    expect(await client.grossOf(adapter.url, access.key, 500)).toMatchObject({
      money: { currency: 'EUR' },
      decimal: expect.stringMatching(/^\d+\.\d{2}$/),
    });
  });

  it('does not type-check opening a ticket without the Idempotency-Key', () => {
    expect(errorsIn('legacy-without-key.ts')).toEqual([
      expect.stringMatching(/'params' is missing/),
    ]);
  });
});

describe('a client generated from soap-proxy’s /openapi.json (openapi-typescript + openapi-fetch)', () => {
  it('type-checks a call to GetStockLevel, and calls it over the reference PHP supplier', async () => {
    expect(errorsIn('supplier-client.ts', 'supplier-api.ts')).toEqual([]);
    const client = await load<SupplierClient>('supplier-client.ts');
    expect(await client.stockOf(proxy.url, access.key, 'SKU-00001')).toEqual({
      sku: 'SKU-00001',
      available: expect.any(Number),
    });
  });
});
