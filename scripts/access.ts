// `npm run access -- <command>`: manages API keys in the access file (ACCESS_FILE, default
// deploy/access.yaml). The key is printed once, here, and never stored: the file keeps its hash.
//   create-key --client <id> [--scopes a,b] [--expires 2027-01-01T00:00:00Z] [--note text]
//   revoke-key <key id>
import { parseArgs } from 'node:util';
import { createApiKey, FrontDoorAuthEnv, revokeApiKey } from '@manifold/platform/auth';
import { ConfigError } from '@manifold/platform/config';

const path = process.env['ACCESS_FILE'] ?? FrontDoorAuthEnv.shape.ACCESS_FILE.parse(undefined);
const usage = `usage: npm run access -- create-key --client <id> [--scopes a,b] [--expires <ISO 8601>] [--note <text>]
       npm run access -- revoke-key <key id>
(access file: ${path}; set ACCESS_FILE for another)`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    client: { type: 'string' },
    scopes: { type: 'string' },
    expires: { type: 'string' },
    note: { type: 'string' },
  },
});

try {
  const [command, argument] = positionals;
  if (command === 'create-key' && values.client) {
    const { id, key } = createApiKey(path, {
      client: values.client,
      ...(values.scopes ? { scopes: values.scopes.split(',').map((scope) => scope.trim()) } : {}),
      ...(values.expires ? { expiresAt: values.expires } : {}),
      ...(values.note ? { note: values.note } : {}),
    });
    console.error(`key ${id} created for ${values.client} in ${path}`);
    console.error('This is the only time the key is shown; store it now:');
    console.log(key);
  } else if (command === 'revoke-key' && argument) {
    const client = revokeApiKey(path, argument);
    console.error(
      `key ${argument} of ${client} revoked in ${path}; replicas refuse it once they reload`,
    );
  } else {
    console.error(usage);
    process.exit(2);
  }
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
