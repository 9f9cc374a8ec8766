import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createApiKey,
  createAuthenticator,
  watchAccessFile,
  type WatchedAccessFile,
} from '@manifold/platform/auth';
import { listen } from '@manifold/platform/http';
import { silentLogger } from '@manifold/platform/testing';
import pg from 'pg';
import { createApp, type RegistryApp } from '../src/app.ts';
import { createWorkerComposer, type Composer } from '../src/composition/composer.ts';
import { registryAccessEdge, registryScopes } from '../src/http/access.ts';
import { repositorySubgraphs } from '../src/seed.ts';
import { openPostgresStore } from '../src/store/postgres-store.ts';
import { openSqliteStore } from '../src/store/sqlite-store.ts';
import type { RegistryStore } from '../src/store/store.ts';

export type StoreKind = 'sqlite' | 'postgres';

/** The machine's PostgreSQL (override with REGISTRY_TEST_POSTGRES_URL); each test run gets its own database. */
const ADMIN_URL =
  process.env['REGISTRY_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestStore {
  store: RegistryStore;
  /** Opens another handle on the same store (a second replica). */
  reopen(): Promise<RegistryStore>;
  dispose(): Promise<void>;
}

/** A throw-away database: a fresh SQLite file, or a fresh PostgreSQL database (dropped afterwards). */
export async function openTestStore(kind: StoreKind): Promise<TestStore> {
  if (kind === 'sqlite') {
    const directory = mkdtempSync(join(tmpdir(), 'registry-store-'));
    const path = join(directory, 'registry.sqlite');
    const opened: RegistryStore[] = [openSqliteStore(path)];
    return {
      store: opened[0]!,
      reopen: () => {
        const another = openSqliteStore(path);
        opened.push(another);
        return Promise.resolve(another);
      },
      dispose: async () => {
        for (const store of opened) await store.close();
        rmSync(directory, { recursive: true, force: true });
      },
    };
  }
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `The registry's PostgreSQL tests need a PostgreSQL server at ${ADMIN_URL} (set REGISTRY_TEST_POSTGRES_URL): ${(error as Error).message}`,
      { cause: error },
    );
  }
  const database = `registry_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await admin.query(`CREATE DATABASE ${database}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  const opened: RegistryStore[] = [await openPostgresStore(url.toString())];
  return {
    store: opened[0]!,
    reopen: async () => {
      const another = await openPostgresStore(url.toString());
      opened.push(another);
      return another;
    },
    dispose: async () => {
      for (const store of opened) await store.close();
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** An access file with the clients the tests act as; keys made on demand. */
export function testAccessFile() {
  const directory = mkdtempSync(join(tmpdir(), 'registry-access-'));
  const path = join(directory, 'access.yaml');
  writeFileSync(
    path,
    `tiers: { internal: {} }
defaultTier: internal
clients:
  products-team:
    tier: internal
    scopes: ['registry:publish:products', 'registry:read']
  platform-team:
    tier: internal
    scopes: ['registry:publish', 'registry:admin', 'registry:read']
  ci-checker:
    tier: internal
    scopes: ['registry:check']
  gateway:
    tier: internal
    scopes: ['registry:read', 'registry:report']
`,
  );
  return {
    path,
    keyFor: (client: string) => createApiKey(path, { client }).key,
    dispose: () => {
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

export interface StartedRegistry {
  url: string;
  app: RegistryApp;
  server: Server;
  composer: Composer;
  close(): Promise<void>;
}

export interface StartRegistryOptions {
  store: RegistryStore;
  /** Access file path; the registry authenticates against it. */
  accessFile: string;
  publicReads?: boolean;
  usageWindowDays?: number;
  pollMs?: number;
  /** Seed from the repository's subgraphs. @default true */
  seed?: boolean;
}

/** A registry on a free port over `store`, seeded like `npm start`'s. */
export async function startRegistry({
  store,
  accessFile,
  publicReads = false,
  usageWindowDays = 30,
  pollMs = 100,
  seed = true,
}: StartRegistryOptions): Promise<StartedRegistry> {
  const logger = silentLogger('registry');
  const access: WatchedAccessFile = watchAccessFile(accessFile, { logger, intervalMs: 50 });
  const composer = createWorkerComposer();
  const scopesFor = registryScopes({ publicReads });
  const app = createApp({
    store,
    composer,
    logger,
    production: false,
    usageWindowDays,
    pollMs,
    scopesFor,
    edge: [registryAccessEdge({ authenticate: createAuthenticator({ access }), scopesFor })],
  });
  await app.start();
  if (seed) await app.registry.seed(repositorySubgraphs());
  const { server, url } = await listen(app.handler, { port: 0, host: '127.0.0.1' });
  return {
    url,
    app,
    server,
    composer,
    close: async () => {
      app.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
      access.close();
      await composer.close();
    },
  };
}

/** The repository's SDL of `name`. */
export const sdlOf = (name: string): string => {
  const found = repositorySubgraphs().find((subgraph) => subgraph.name === name);
  if (!found) throw new Error(`no subgraph ${name}`);
  return found.sdl;
};

/** A JSON answer: its shape is what each test asserts (toMatchObject), so it is left untyped. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
export type JsonBody = any;

/** A JSON call with an API key. */
export async function call(
  base: string,
  method: string,
  path: string,
  {
    key,
    body,
    headers = {},
  }: { key?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const answer: JsonBody = text === '' ? undefined : JSON.parse(text);
  return { status: response.status, headers: response.headers, body: answer };
}
