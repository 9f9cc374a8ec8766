import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  authenticationEdge,
  createApiKey,
  createAuthenticator,
  revokeApiKey,
  watchAccessFile,
  type WatchedAccessFile,
} from '@manifold/platform/auth';
import { silentLogger } from '@manifold/platform/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { accessScopes } from '../legacy-rest-adapter/src/config.ts';
import { startAdapter, type Adapter } from '../legacy-rest-adapter/test/support.ts';

// A partner rotates its key on a running facade: a second key is added to the access file, both
// work during the overlap, the old one is revoked and refused — no restart, no deploy.
const path = join(mkdtempSync(join(tmpdir(), 'key-rotation-')), 'access.yaml');
writeFileSync(
  path,
  `tiers: { partner: {} }
defaultTier: partner
clients:
  partner:
    tier: partner
    scopes: [customers:read]
`,
);

let access: WatchedAccessFile;
const reloads = { applied: 0, rejected: 0 };
let adapter: Adapter;
beforeAll(async () => {
  access = watchAccessFile(path, {
    logger: silentLogger(),
    intervalMs: 50,
    onReload: (outcome) => {
      reloads[outcome] += 1;
    },
  });
  adapter = await startAdapter({
    edge: [
      authenticationEdge({
        authenticate: createAuthenticator({ access }),
        scopesFor: accessScopes,
      }),
    ],
  });
});
afterAll(async () => {
  access.close();
  await adapter.close();
});

const RELOAD = { timeout: 10_000, interval: 50 };
const status = async (key: string) =>
  (await adapter.get('/api/v2/customers/7', { 'x-api-key': key })).status;

describe('API key rotation on a running facade', () => {
  it('accepts both keys during the overlap and refuses the old one once it is revoked, without a restart', async () => {
    const old = createApiKey(path, { client: 'partner', note: 'before rotation' });
    await vi.waitFor(async () => {
      expect(await status(old.key)).toBe(200);
    }, RELOAD);
    const current = createApiKey(path, { client: 'partner', note: 'after rotation' });
    await vi.waitFor(async () => {
      expect(await status(current.key)).toBe(200);
    }, RELOAD);
    expect(await status(old.key)).toBe(200);

    revokeApiKey(path, old.id);
    await vi.waitFor(async () => {
      expect(await status(old.key)).toBe(401);
    }, RELOAD);
    expect(await status(current.key)).toBe(200);
  });

  it('keeps the last good policy when the file turns invalid', async () => {
    const { key } = createApiKey(path, { client: 'partner' });
    await vi.waitFor(async () => {
      expect(await status(key)).toBe(200);
    }, RELOAD);
    const rejectedBefore = reloads.rejected;
    // Replaced whole, as editors and secret mounts do: a file rewritten in place can be seen
    // half-written (empty) by one poll and whole by the next, which would be two rejections.
    writeFileSync(`${path}.next`, 'tiers: [not, a, map]\n');
    renameSync(`${path}.next`, path);
    await vi.waitFor(() => {
      expect(reloads.rejected).toBe(rejectedBefore + 1);
    }, RELOAD);
    expect(await status(key)).toBe(200);
  });
});
