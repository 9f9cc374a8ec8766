import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listen, type EdgeMiddleware } from '@manifold/platform/http';
import { createUpstreamPolicy, type UpstreamPolicyOptions } from '@manifold/platform/resilience';
import {
  requireRedis,
  silentLogger,
  startPhpServer,
  type PhpServer,
} from '@manifold/platform/testing';
import type { Keyv } from 'keyv';
import { createCache } from '@manifold/platform/cache';
import type { DeadLetterRecorder } from '@manifold/platform/dead-letters';
import { createApp } from '../src/app.ts';
import { createLegacyClient } from '../src/clients/legacy-client.ts';
import { createLegacyForms } from '../src/clients/legacy-forms.ts';
import { createContractCheck, type OpenApiDocument } from './contract-check.ts';
import { LegacySession } from '../src/clients/legacy-session.ts';
import { API_VERSIONS } from '../src/api-versions.ts';
import { serveVersions, type ApiVersionRow } from '../src/http/version-table.ts';

export interface AdapterResponse {
  status: number;
  headers: Headers;
  /** The parsed JSON body; `{}` for an empty one (304). */
  body: Record<string, unknown>;
}

export interface Adapter {
  url: string;
  /** The adapter's own /openapi.json, as served. */
  openApi: OpenApiDocument;
  monolith: PhpServer;
  session: LegacySession;
  /** GET through `request`. */
  get: (path: string, headers?: Record<string, string>) => Promise<AdapterResponse>;
  /**
   * Calls the adapter; every answer is checked against its own /openapi.json (documented status,
   * body matching the schema), so each test doubles as a contract test.
   */
  request: (
    method: string,
    path: string,
    options?: { body?: unknown; headers?: Record<string, string> },
  ) => Promise<AdapterResponse>;
  /** Calls the monolith counted for one page/action (its test hooks). */
  legacyCalls: (operation: string) => Promise<number>;
  plan: (plan: {
    operation: string;
    mode: string;
    times?: number;
    latencyMs?: number;
    /** http429: the Retry-After the monolith sends (s). */
    retryAfterSeconds?: number;
  }) => Promise<void>;
  close: () => Promise<void>;
}

/**
 * The real PHP monolith (own database, 2 s idle sessions) and the adapter in front of it, over HTTP.
 * Pass `monolith` to put a second adapter (a replica) in front of the same one.
 */
export async function startAdapter({
  cache = createCache({ namespace: 'legacy-rest-adapter', logger: silentLogger() }),
  monolith: shared,
  policy: policyOptions = {},
  edge = [],
  versions,
  deadLetters,
}: {
  /** Where ambiguous non-idempotent write failures are recorded (default: nowhere, logged). */
  deadLetters?: DeadLetterRecorder;
  cache?: Keyv;
  /** Another version table than the adapter's own. */
  versions?: readonly ApiVersionRow[];
  /** Checks in front of the whole app, cache included (authentication, rate limits). */
  edge?: readonly EdgeMiddleware[];
  monolith?: PhpServer;
  /** Overrides of the test policy (fast backoff, a breaker that does not get in the way). */
  policy?: Partial<Omit<UpstreamPolicyOptions, 'name' | 'logger'>>;
} = {}): Promise<Adapter> {
  const scratch = mkdtempSync(join(tmpdir(), 'adapter-'));
  const monolith =
    shared ??
    (await startPhpServer({
      router: fileURLToPath(new URL('../../upstreams/php-monolith/router.php', import.meta.url)),
      env: {
        LEGACY_DATABASE_PATH: join(scratch, 'legacy.sqlite'),
        LEGACY_SESSION_PATH: join(scratch, 'sessions'),
        LEGACY_SESSION_IDLE_SECONDS: '2',
      },
    }));
  const session = new LegacySession({
    baseUrl: monolith.url,
    username: 'api',
    password: 'api-secret',
  });
  const policy = createUpstreamPolicy({
    name: 'legacy',
    logger: silentLogger(),
    timeoutMs: 3_000,
    initialDelayMs: 5,
    breakerThreshold: 100,
    ...policyOptions,
  });
  const legacy = createLegacyClient({ baseUrl: monolith.url, session, policy });
  const { server, url }: { server: Server; url: string } = await listen(
    createApp({
      legacy,
      forms: createLegacyForms({ baseUrl: monolith.url, session, policy }),
      cache,
      logger: silentLogger('legacy-rest-adapter'),
      production: true,
      ...(versions ? { versions } : {}),
      health: () => ({ ...policy.stats() }),
      edge,
      ...(deadLetters ? { deadLetters } : {}),
    }),
    { port: 0, host: '127.0.0.1' },
  );
  const openApi = (await (await fetch(`${url}/openapi.json`)).json()) as OpenApiDocument;
  const check = createContractCheck(openApi, {
    currentVersion: serveVersions(versions ?? API_VERSIONS).current.version,
  });
  const request: Adapter['request'] = async (method, path, { body, headers = {} } = {}) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const parsed: unknown = text === '' ? undefined : JSON.parse(text);
    const lowered = Object.fromEntries(
      Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
    );
    check(method, path, lowered, response.status, response.headers.get('content-type'), parsed);
    return {
      status: response.status,
      headers: response.headers,
      body: (parsed ?? {}) as Record<string, unknown>,
    };
  };
  return {
    url,
    openApi,
    monolith,
    session,
    request,
    get: (path, headers = {}) => request('GET', path, { headers }),
    legacyCalls: async (operation) =>
      (
        (await (await fetch(`${monolith.url}/_test/calls?operation=${operation}`)).json()) as {
          count: number;
        }
      ).count,
    plan: async (plan) => {
      await fetch(`${monolith.url}/_test/plan`, {
        method: 'POST',
        body: JSON.stringify({ times: -1, ...plan }),
      });
    },
    close: async () => {
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
      if (!shared) await monolith.stop();
    },
  };
}

/**
 * Two adapter replicas sharing one Redis (a fresh namespace) and one monolith — `monolith`'s if
 * given, else a new one — for `run`; everything is closed afterwards, whatever `run` did.
 */
export async function withRedisReplicas(
  run: (a: Adapter, b: Adapter) => Promise<void>,
  { monolith }: { monolith?: PhpServer } = {},
): Promise<void> {
  const redisUrl = await requireRedis();
  const namespace = `legacy-test-${randomUUID()}`;
  const caches = [1, 2].map(() => createCache({ namespace, redisUrl, logger: silentLogger() }));
  const a = await startAdapter({ cache: caches[0]!, ...(monolith ? { monolith } : {}) });
  const b = await startAdapter({ cache: caches[1]!, monolith: a.monolith });
  try {
    await run(a, b);
  } finally {
    await b.close();
    await a.close();
    for (const cache of caches) await cache.disconnect();
  }
}
