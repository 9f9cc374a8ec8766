// `npm run -s token`: prints an access token from the reference identity provider (`npm start`
// runs it on :8090), for trying the gateway and the facades with curl:
//   npm run -s token                         a test user's token (user 1; --user <id> for another)
//   npm run -s token -- --client partner-demo  a service's token (client credentials)
// Secrets are read from the provider's data directory (IDP_DATA_DIR, default .data/identity-provider).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { defaultUrl } from '@manifold/platform/contracts';
import { IdentityProviderEnv } from '../upstreams/identity-provider/src/config.ts';
import {
  clientSecretPath,
  testUserPasswordPath,
} from '../upstreams/identity-provider/src/data-store.ts';
import {
  clientCredentialsToken,
  testUserToken,
} from '../upstreams/identity-provider/src/tokens.ts';

const { values } = parseArgs({
  options: {
    user: { type: 'string', default: '1' },
    client: { type: 'string' },
    scope: { type: 'string' },
    issuer: { type: 'string' },
  },
});
const issuer = values.issuer ?? process.env['IDP_ISSUER'] ?? defaultUrl('identity-provider');
const dataDir =
  process.env['IDP_DATA_DIR'] ?? IdentityProviderEnv.shape.IDP_DATA_DIR.parse(undefined);
const read = (path: string) => {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    console.error(`cannot read ${path}: is the identity provider running (npm start)?`);
    process.exit(1);
  }
};

try {
  const token = values.client
    ? await clientCredentialsToken({
        issuer,
        clientId: values.client,
        clientSecret: read(clientSecretPath(dataDir, values.client)),
        ...(values.scope ? { scope: values.scope } : {}),
      })
    : await testUserToken({
        issuer,
        clientSecret: read(clientSecretPath(dataDir, 'manifold-cli')),
        username: values.user,
        password: read(testUserPasswordPath(dataDir)),
        ...(values.scope ? { scope: values.scope } : {}),
      });
  console.log(token);
} catch (error) {
  console.error(`no token from ${issuer}: ${(error as Error).message}`);
  process.exit(1);
}
