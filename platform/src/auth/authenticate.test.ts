import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { compileAccessFile, type AccessPolicy } from './access-file.ts';
import { generateApiKey } from './api-keys.ts';
import { createAuthenticator } from './authenticate.ts';

const request = (key: string) =>
  ({ headers: { 'x-api-key': key }, socket: {} }) as unknown as IncomingMessage;

const policyWith = (key: { id: string; hash: string }, revokedAt?: string): AccessPolicy =>
  compileAccessFile({
    tiers: { free: {} },
    defaultTier: 'free',
    clients: {
      shop: {
        tier: 'free',
        scopes: ['orders:read'],
        keys: [{ id: key.id, hash: key.hash, ...(revokedAt ? { revokedAt } : {}) }],
        certificates: [],
      },
    },
  });

describe('API keys at the front door', () => {
  const key = generateApiKey();

  it('admits a key every time, and refuses its id with another secret once the key is remembered', () => {
    const policy = policyWith(key);
    const authenticate = createAuthenticator({ access: { current: () => policy } });
    for (let attempt = 0; attempt < 3; attempt++)
      expect(authenticate(request(key.key))).toMatchObject({
        method: 'api-key',
        clientId: 'shop',
      });
    const forged = `${key.key.slice(0, -1)}${key.key.endsWith('A') ? 'B' : 'A'}`;
    expect(() => authenticate(request(forged))).toThrow(
      expect.objectContaining({ code: 'UNAUTHENTICATED' }),
    );
    expect(authenticate(request(key.key))).toMatchObject({ clientId: 'shop' });
  });

  it('refuses a remembered key as soon as a reloaded access file revokes it', () => {
    let policy = policyWith(key);
    const authenticate = createAuthenticator({ access: { current: () => policy } });
    expect(authenticate(request(key.key))).toMatchObject({ clientId: 'shop' });
    policy = policyWith(key, '2020-01-01T00:00:00Z');
    expect(() => authenticate(request(key.key))).toThrow(/revoked/);
  });
});
