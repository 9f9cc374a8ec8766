import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { documentIdOf, readManifest } from '../gateway/src/trusted-documents/manifest.ts';
import { REPO_ROOT } from './e2e/support/processes.ts';

// `npm run trusted-documents -- add <manifest>` as a release pipeline runs it: a real process
// writing the store file the gateway loads.

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'trusted-cli-'));
const store = join(dir, 'store.json');
const cli = (...args: string[]) =>
  run(process.execPath, [join(REPO_ROOT, 'scripts/trusted-documents.ts'), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, TRUSTED_DOCUMENTS_PATH: store },
  });

const manifest = (name: string, operations: Record<string, string>) => {
  const path = join(dir, name);
  writeFileSync(
    path,
    JSON.stringify({
      format: 'apollo-persisted-query-manifest',
      version: 1,
      operations: Object.entries(operations).map(([id, body]) => ({ id, body })),
    }),
  );
  return path;
};

const PRODUCT = 'query Product($id: ID!) { product(id: $id) { name price { amount } } }';
const ME = 'query Me { me { name } }';

describe('npm run trusted-documents', () => {
  it("adds an app's manifest to the store, then another app's, keeping what was there", async () => {
    await cli('add', manifest('web.json', { [documentIdOf(PRODUCT)]: PRODUCT }));
    await cli(
      'add',
      manifest('ios.json', { [documentIdOf(ME)]: ME, [documentIdOf(PRODUCT)]: PRODUCT }),
    );
    const stored = readManifest(readFileSync(store, 'utf8'));
    expect(stored.map(({ name }) => name).sort()).toEqual(['Me', 'Product']);
    const { stdout } = await cli('list');
    expect(stdout).toContain(documentIdOf(ME));
  });

  it('refuses a manifest whose operation the supergraph cannot run, and leaves the store as it was', async () => {
    const before = readFileSync(store, 'utf8');
    const broken = 'query Gone { product(id: 1) { noSuchField } }';
    await expect(
      cli('add', manifest('broken.json', { [documentIdOf(broken)]: broken })),
    ).rejects.toMatchObject({ code: 1 });
    expect(readFileSync(store, 'utf8')).toBe(before);
  });

  it('refuses an id that is not the sha256 of its document', async () => {
    await expect(
      cli('add', manifest('forged.json', { ['a'.repeat(64)]: ME })),
    ).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('sha256') as unknown });
  });
});
