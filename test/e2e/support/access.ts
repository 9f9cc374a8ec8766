import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiKey } from '@manifold/platform/auth';

const READS = ['users:read', 'orders:read', 'customers:read', 'supplier:read'];

/** An access file for a spawned stack, with one API key allowed `scopes` (by default what the tests read). */
export function e2eAccess(scopes: readonly string[] = READS): { ACCESS_FILE: string; key: string } {
  const path = join(mkdtempSync(join(tmpdir(), 'e2e-access-')), 'access.yaml');
  writeFileSync(
    path,
    `tiers: { free: {}, internal: {} }
defaultTier: free
clients:
  e2e:
    tier: internal
    scopes: [${scopes.join(', ')}]
`,
  );
  return { ACCESS_FILE: path, key: createApiKey(path, { client: 'e2e' }).key };
}
