import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listen } from '@manifold/platform/http';
import { silentLogger } from '@manifold/platform/testing';
import { createApp, type ProviderStats } from '../../upstreams/identity-provider/src/app.ts';
import { loadProviderSecrets } from '../../upstreams/identity-provider/src/data-store.ts';
import {
  clientCredentialsToken,
  testUserToken,
} from '../../upstreams/identity-provider/src/tokens.ts';

/** The reference identity provider, running for a test on a free port with its own keys and secrets. */
export interface TestIdentityProvider {
  issuer: string;
  /** Its data directory (secrets/clients/<id>, secrets/test-user-password). */
  dataDir: string;
  stats: ProviderStats;
  clientSecret(clientId: string): string;
  /** A service's token, by client credentials. */
  serviceToken(clientId: string, scope?: string): Promise<string>;
  /** A seeded user's token, through the login form (authorization code + PKCE). */
  userToken(userId: string, scope?: string): Promise<string>;
  close(): Promise<void>;
}

export async function startIdentityProvider({
  accessTokenTtlSeconds,
}: { accessTokenTtlSeconds?: number } = {}): Promise<TestIdentityProvider> {
  const dataDir = mkdtempSync(join(tmpdir(), 'manifold-idp-'));
  const secrets = await loadProviderSecrets(dataDir);
  // The issuer (its URL) must be known before the app is built: listen first, then hand over.
  let handler: ReturnType<typeof createApp>['handler'] = (_req, res) => {
    res.writeHead(503).end();
  };
  const { server, url: issuer } = await listen(
    (req, res) => {
      handler(req, res);
    },
    { port: 0, host: '127.0.0.1' },
  );
  const app = createApp({
    issuer,
    secrets,
    logger: silentLogger('identity-provider'),
    ...(accessTokenTtlSeconds === undefined ? {} : { accessTokenTtlSeconds }),
  });
  handler = app.handler;
  const { stats } = app;
  return {
    issuer,
    dataDir,
    stats,
    clientSecret: (clientId) => secrets.clientSecret(clientId),
    serviceToken: (clientId, scope) =>
      clientCredentialsToken({
        issuer,
        clientId,
        clientSecret: secrets.clientSecret(clientId),
        ...(scope === undefined ? {} : { scope }),
      }),
    userToken: (userId, scope) =>
      testUserToken({
        issuer,
        clientSecret: secrets.clientSecret('manifold-cli'),
        username: userId,
        password: secrets.testUserPassword,
        ...(scope === undefined ? {} : { scope }),
      }),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
