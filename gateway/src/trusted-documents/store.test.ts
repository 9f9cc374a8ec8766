import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { documentIdOf, readManifest, renderStore } from './manifest.ts';
import { loadTrustedDocuments, watchTrustedDocuments } from './store.ts';

const storeWith = (...bodies: string[]) =>
  renderStore(
    readManifest(
      JSON.stringify(Object.fromEntries(bodies.map((body) => [documentIdOf(body), body]))),
    ),
  );
const ME = '{ me { name } }';
const USER = 'query User($id: ID!) { user(id: $id) { name } }';

describe('the trusted documents store', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'trusted-store-')), 'store.json');
  const watchers: { close: () => void }[] = [];
  afterEach(() => {
    for (const watcher of watchers.splice(0)) watcher.close();
  });

  it('loads the registered documents by id', () => {
    writeFileSync(path, storeWith(ME));
    expect(loadTrustedDocuments(path).get(documentIdOf(ME))).toBe(ME);
  });

  it('refuses to start on a missing or invalid file (ConfigError naming the variable)', () => {
    expect(() => loadTrustedDocuments(`${path}.missing`)).toThrow(/TRUSTED_DOCUMENTS_PATH/);
    writeFileSync(path, JSON.stringify({ ['0'.repeat(64)]: ME }));
    expect(() => loadTrustedDocuments(path)).toThrow(/TRUSTED_DOCUMENTS_PATH.*sha256/s);
  });

  it('picks up a newly registered document without a restart, and keeps the last good store over a broken file', async () => {
    writeFileSync(path, storeWith(ME));
    const logger = { info: vi.fn(), error: vi.fn() };
    const watched = watchTrustedDocuments(path, { logger: logger as never, intervalMs: 20 });
    watchers.push(watched);
    expect(watched.current().get(documentIdOf(USER))).toBeUndefined();
    writeFileSync(path, storeWith(ME, USER));
    await vi.waitFor(() => {
      expect(watched.current().get(documentIdOf(USER))).toBe(USER);
    });
    logger.error.mockClear();
    writeFileSync(path, '{ broken');
    await vi.waitFor(() => {
      expect(logger.error).toHaveBeenCalled();
    });
    expect(watched.current().size).toBe(2);
  });

  it('keeps the last good store while the file is gone (logged), and reads it again when it is back', async () => {
    writeFileSync(path, storeWith(ME));
    const logger = { info: vi.fn(), error: vi.fn() };
    const watched = watchTrustedDocuments(path, { logger: logger as never, intervalMs: 20 });
    watchers.push(watched);
    rmSync(path);
    await vi.waitFor(() => {
      expect(logger.error).toHaveBeenCalled();
    });
    expect(watched.current().get(documentIdOf(ME))).toBe(ME);
    writeFileSync(path, storeWith(ME, USER));
    await vi.waitFor(() => {
      expect(watched.current().get(documentIdOf(USER))).toBe(USER);
    });
  });
});
