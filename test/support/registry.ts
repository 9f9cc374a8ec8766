import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { e2eAccess } from '../e2e/support/access.ts';
import { freePort, startService, type ServiceProcess } from '../e2e/support/processes.ts';

/** The registry scopes the tests' one API key holds (registry/CONTRACT.md): publish only products. */
const REGISTRY_SCOPES = [
  'registry:read',
  'registry:report',
  'registry:check',
  'registry:publish:products',
  'registry:admin',
];

export interface VersionSummary {
  version: string;
  action: string;
  forced: boolean;
  current: boolean;
}

export interface CheckReport {
  ok: boolean;
  errors: { kind: string; message: string; coordinate?: string; change?: Change }[];
  warnings: { kind: string; message: string; coordinate?: string; change?: Change }[];
}

interface Change {
  path?: string;
  coordinates?: string[];
  usage: null | {
    count: number;
    operations: {
      name: string | null;
      count: number;
      clients: { name: string | null; version: string | null }[];
    }[];
  };
}

export interface TestRegistry {
  url: string;
  /** An API key with scopes read, report, check, publish products, admin. */
  key: string;
  process: ServiceProcess;
  /** `POST /subgraphs/{name}/publish`; throws unless it answered 201 (published). */
  publish: (
    subgraph: string,
    body: { sdl: string; url?: string; force?: boolean },
  ) => Promise<VersionSummary>;
  /** `POST /subgraphs/{name}/check`. */
  check: (subgraph: string, body: { sdl: string; url?: string }) => Promise<CheckReport>;
  /** `POST /supergraph/rollback`; the new current version. */
  rollback: (to: string) => Promise<VersionSummary>;
  /** The current version id (`GET /supergraph`). */
  current: () => Promise<string>;
  stop: () => Promise<void>;
}

/**
 * The schema registry as a real process (registry/src/main.ts) on a free port, with its own
 * SQLite store in a temporary directory (seeded from the repository's subgraph SDLs on first
 * start) and an access file holding one API key with every registry scope.
 */
export async function startRegistry(): Promise<TestRegistry> {
  const access = e2eAccess(REGISTRY_SCOPES);
  const dataDir = mkdtempSync(join(tmpdir(), 'registry-'));
  const service = await startService({
    name: 'registry',
    entry: 'registry/src/main.ts',
    port: await freePort(),
    env: {
      ACCESS_FILE: access.ACCESS_FILE,
      REGISTRY_DATABASE_PATH: join(dataDir, 'registry.sqlite'),
    },
    readyPath: '/readyz',
  });
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${service.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-api-key': access.key },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  return {
    url: service.url,
    key: access.key,
    process: service,
    publish: async (subgraph, body) => {
      const { status, body: answer } = await call('POST', `/subgraphs/${subgraph}/publish`, body);
      if (status !== 201)
        throw new Error(`publish ${subgraph} answered ${status}: ${JSON.stringify(answer)}`);
      return answer['version'] as VersionSummary;
    },
    check: async (subgraph, body) => {
      const { status, body: answer } = await call('POST', `/subgraphs/${subgraph}/check`, body);
      if (status !== 200)
        throw new Error(`check ${subgraph} answered ${status}: ${JSON.stringify(answer)}`);
      return answer as unknown as CheckReport;
    },
    rollback: async (to) => {
      const { status, body: answer } = await call('POST', '/supergraph/rollback', { to });
      if (status !== 201) throw new Error(`rollback answered ${status}: ${JSON.stringify(answer)}`);
      return answer as unknown as VersionSummary;
    },
    current: async () => {
      const { body } = await call('GET', '/supergraph');
      return body['version'] as string;
    },
    stop: async () => {
      await service.stop();
    },
  };
}
