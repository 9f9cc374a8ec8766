import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listen } from '@manifold/platform/http-server';
import { createUpstreamPolicy, type UpstreamPolicyOptions } from '@manifold/platform/resilience';
import { silentLogger, startPhpServer, type PhpServer } from '@manifold/platform/testing';
import { Keyv } from 'keyv';
import { createApp } from '../src/app.ts';
import { createLegacyClient } from '../src/clients/legacy-client.ts';
import { createLegacyForms } from '../src/clients/legacy-forms.ts';
import { LegacySession } from '../src/clients/legacy-session.ts';

export interface Adapter {
  url: string;
  monolith: PhpServer;
  session: LegacySession;
  get: (
    path: string,
    headers?: Record<string, string>,
  ) => Promise<{ status: number; headers: Headers; body: Record<string, unknown> }>;
  /** Calls the monolith counted for one page/action (its test hooks). */
  legacyCalls: (operation: string) => Promise<number>;
  plan: (plan: {
    operation: string;
    mode: string;
    times?: number;
    latencyMs?: number;
  }) => Promise<void>;
  close: () => Promise<void>;
}

/**
 * The real PHP monolith (own database, 2 s idle sessions) and the adapter in front of it, over HTTP.
 * Pass `monolith` to put a second adapter (a replica) in front of the same one.
 */
export async function startAdapter({
  cache = new Keyv(),
  monolith: shared,
  policy: policyOptions = {},
}: {
  cache?: Keyv;
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
      v1Sunset: new Date('2027-06-30T00:00:00Z'),
      health: () => ({ ...policy.stats() }),
    }),
    { port: 0, host: '127.0.0.1' },
  );
  return {
    url,
    monolith,
    session,
    get: async (path, headers = {}) => {
      const response = await fetch(`${url}${path}`, { headers });
      return {
        status: response.status,
        headers: response.headers,
        body: (await response.json()) as Record<string, unknown>,
      };
    },
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
