import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

/**
 * The provider's state that must survive a restart: its signing key (tokens issued before a
 * restart stay valid), the cookie keys, each client's secret and the test users' password —
 * all generated on first start, mode 0600, under IDP_DATA_DIR (never committed).
 */
function readOrCreate(path: string, create: () => string): string {
  try {
    writeFileSync(path, create(), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return readFileSync(path, 'utf8').trim();
}

const randomSecret = () => randomBytes(32).toString('base64url');

export interface ProviderSecrets {
  signingKeys: JWK[];
  cookieKeys: string[];
  clientSecret(clientId: string): string;
  testUserPassword: string;
}

/** Where `npm run token` and services' `*_FILE` variables find a client's secret. */
export const clientSecretPath = (dataDir: string, clientId: string) =>
  join(dataDir, 'secrets', 'clients', clientId);

export const testUserPasswordPath = (dataDir: string) =>
  join(dataDir, 'secrets', 'test-user-password');

export async function loadProviderSecrets(dataDir: string): Promise<ProviderSecrets> {
  mkdirSync(join(dataDir, 'secrets', 'clients'), { recursive: true, mode: 0o700 });
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const fresh = {
    ...(await exportJWK(privateKey)),
    alg: 'RS256',
    use: 'sig',
    kid: randomBytes(8).toString('hex'),
  };
  const signingKeys = JSON.parse(
    readOrCreate(join(dataDir, 'jwks.json'), () => JSON.stringify({ keys: [fresh] })),
  ) as { keys: JWK[] };
  const cookieKeys = readOrCreate(join(dataDir, 'secrets', 'cookie-keys'), randomSecret).split(
    '\n',
  );
  return {
    signingKeys: signingKeys.keys,
    cookieKeys,
    clientSecret: (clientId) => readOrCreate(clientSecretPath(dataDir, clientId), randomSecret),
    testUserPassword: readOrCreate(testUserPasswordPath(dataDir), randomSecret),
  };
}
