import { compileAccessFile, staticAccessPolicy } from '@manifold/platform/auth';

/**
 * An access policy of API-key clients, all on one `internal` tier without limits: what a test's
 * front door needs to tell each client's key and scopes apart (deploy/access.yaml, reduced).
 */
export function apiKeyAccess(
  clients: Record<string, { key: { id: string; hash: string }; scopes: string[] }>,
) {
  return staticAccessPolicy(
    compileAccessFile({
      tiers: { internal: {} },
      defaultTier: 'internal',
      clients: Object.fromEntries(
        Object.entries(clients).map(([name, { key, scopes }]) => [
          name,
          { tier: 'internal', scopes, keys: [{ id: key.id, hash: key.hash }], certificates: [] },
        ]),
      ),
    }),
  );
}
