import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort, startService, type ServiceProcess } from '../../test/e2e/support/processes.ts';

// The registry as `npm start` runs it: its own process, env config, seeded SQLite store under a
// temp directory, the composition worker on real Node.
describe('registry process (src/main.ts)', () => {
  const directory = mkdtempSync(join(tmpdir(), 'registry-main-'));
  let registry: ServiceProcess;

  beforeAll(async () => {
    registry = await startService({
      name: 'registry',
      entry: 'registry/src/main.ts',
      port: await freePort(),
      env: { REGISTRY_DATABASE_PATH: join(directory, 'registry.sqlite') },
      readyPath: '/readyz',
    });
  });
  afterAll(async () => {
    await registry.stop('SIGKILL');
    rmSync(directory, { recursive: true, force: true });
  });

  it('seeds itself on first start and serves the supergraph without credentials outside production', async () => {
    const health = (await (await fetch(`${registry.url}/healthz`)).json()) as { version: string };
    expect(health.version).toBe('1');
    const response = await fetch(`${registry.url}/supergraph`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { version: string; sdl: string };
    expect(body.version).toBe('1');
    expect(body.sdl).toContain('USERS @join__graph(name: "users"');
    const metrics = await (await fetch(`${registry.url}/metrics`)).text();
    expect(metrics).toMatch(/^manifold_registry_supergraph_version(\{[^}]*\})? 1$/m);
  });

  it('answers a held long-poll (304) as soon as SIGTERM arrives, then exits cleanly', async () => {
    const poll = fetch(`${registry.url}/supergraph`, {
      headers: { 'if-none-match': '"1"', prefer: 'wait=30' },
    });
    // The poll must be held before the signal.
    await vi.waitFor(
      async () => {
        const health = (await (await fetch(`${registry.url}/healthz`)).json()) as {
          longPolls: number;
        };
        expect(health.longPolls).toBe(1);
      },
      { timeout: 10_000, interval: 50 },
    );
    registry.child.kill('SIGTERM');
    const answer = await poll;
    expect(answer.status).toBe(304);
    expect(await registry.exited).toBe(0);
  });
});
