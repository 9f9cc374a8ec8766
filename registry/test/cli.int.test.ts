import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@manifold/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openTestStore,
  sdlOf,
  startRegistry,
  testAccessFile,
  type StartedRegistry,
  type TestStore,
} from './support.ts';

// The CLI a team runs in CI, as a real process against a real registry: exit codes and report.
const CLI = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const directory = mkdtempSync(join(tmpdir(), 'registry-cli-'));
const file = (name: string, content: string) => {
  const path = join(directory, name);
  writeFileSync(path, content);
  return path;
};

function manifold(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { PATH: process.env['PATH'] ?? '', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

describe('manifold schema check|publish', () => {
  let testStore: TestStore;
  let registry: StartedRegistry;
  const access = testAccessFile();
  let env: Record<string, string>;
  const products = sdlOf('products');
  const withColour = file(
    'colour.graphql',
    products.replace('  weightGrams: Int!\n', '  weightGrams: Int!\n  colour: String\n'),
  );

  beforeAll(async () => {
    testStore = await openTestStore('sqlite');
    registry = await startRegistry({ store: testStore.store, accessFile: access.path });
    env = {
      MANIFOLD_REGISTRY_URL: registry.url,
      MANIFOLD_REGISTRY_API_KEY: access.keyFor('products-team'),
    };
  });
  afterAll(async () => {
    await registry.close();
    await testStore.dispose();
    access.dispose();
  });

  it('exits 0 on a passing check and prints the changes', async () => {
    const { code, stdout } = await manifold(
      ['schema', 'check', '--subgraph', 'products', '--sdl', withColour],
      { ...env, MANIFOLD_REGISTRY_API_KEY: access.keyFor('ci-checker') },
    );
    expect(stdout).toContain('check passed');
    expect(stdout).toMatch(/SAFE\s+Field 'colour' was added to object type 'Product'/);
    expect(code).toBe(0);
  });

  it('publishes and says which version it made', async () => {
    const { code, stdout } = await manifold(
      ['schema', 'publish', '--subgraph', 'products', '--sdl', withColour],
      env,
    );
    expect(stdout).toMatch(/Published: supergraph version \d+/);
    expect(code).toBe(0);
  });

  it('exits 1 when the check fails, with composition errors and their locations', async () => {
    const broken = file('broken.graphql', 'type Query {\n  product(id: ID!: Product\n}');
    const { code, stdout } = await manifold(
      ['schema', 'publish', '--subgraph', 'products', '--sdl', broken],
      env,
    );
    expect(stdout).toContain('check FAILED');
    expect(stdout).toMatch(/INVALID_GRAPHQL .* \(at products:2:\d+\)/);
    expect(stdout).toContain('Not published');
    expect(code).toBe(1);
  });

  it('exits 2 on wrong usage, refused credentials and an unreachable registry', async () => {
    expect((await manifold(['schema', 'publish', '--subgraph', 'products'], env)).code).toBe(2);
    expect(
      (await manifold(['schema', 'deploy', '--subgraph', 'products', '--sdl', withColour], env))
        .code,
    ).toBe(2);
    const refused = await manifold(
      ['schema', 'publish', '--subgraph', 'orders', '--sdl', withColour],
      env,
    );
    expect(refused.stderr).toContain('403 FORBIDDEN');
    expect(refused.code).toBe(2);
    const nowhere = await manifold(
      ['schema', 'check', '--subgraph', 'products', '--sdl', withColour],
      {
        ...env,
        MANIFOLD_REGISTRY_URL: `http://127.0.0.1:${await freePort()}`,
      },
    );
    expect(nowhere.stderr).toContain('cannot reach the registry');
    expect(nowhere.code).toBe(2);
  });
});
