import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { compileAccessFile, type AccessPolicy } from './access-file.ts';
import { generateApiKey } from './api-keys.ts';
import { createAuthenticator } from './authenticate.ts';
import type { JwtVerifier, VerifiedToken } from './jwt-verifier.ts';

const request = (key: string) =>
  ({ headers: { 'x-api-key': key }, socket: {} }) as unknown as IncomingMessage;
const bearer = (authorization: string) =>
  ({ headers: { authorization }, socket: {} }) as unknown as IncomingMessage;

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

  it('tells a malformed key from an unknown one after the key is remembered too, and a look-alike with a non-ASCII character is not the key', () => {
    const policy = policyWith(key);
    const authenticate = createAuthenticator({ access: { current: () => policy } });
    expect(authenticate(request(key.key))).toMatchObject({ clientId: 'shop' });
    // Same id, same length, a character outside the key alphabet: malformed, as before it was remembered.
    expect(() => authenticate(request(`${key.key.slice(0, -1)}!`))).toThrow(/malformed/);
    // A character whose low byte is the key's last character (U+0100 + code): not the key.
    const lookalike = `${key.key.slice(0, -1)}${String.fromCharCode(0x100 + key.key.charCodeAt(63))}`;
    expect(() => authenticate(request(lookalike))).toThrow(/malformed/);
    expect(() => authenticate(request(`${key.key}x`))).toThrow(/malformed/);
    expect(authenticate(request(key.key))).toMatchObject({ clientId: 'shop' });
  });
});

describe('bearer tokens verified before', () => {
  const token = 'header.payload.signature';
  const verified: VerifiedToken = {
    clientId: 'shop',
    subject: 'user-7',
    scopes: new Set(['orders:read']),
    expiresAt: Date.now() + 60_000,
  };
  const jwt: JwtVerifier = {
    cached: (presented) => (presented === token ? verified : undefined),
    verify: (presented) =>
      presented === token ? Promise.resolve(verified) : Promise.reject(new Error('not verified')),
  };

  it('are the same caller however the header is spelled, with the tier of the access file read now', () => {
    let policy = policyWith(generateApiKey());
    const authenticate = createAuthenticator({ access: { current: () => policy }, jwt });
    const caller = { method: 'jwt', clientId: 'shop', subject: 'user-7', tier: 'free' };
    for (const header of [`Bearer ${token}`, `bearer ${token}`, `Bearer   ${token}  `])
      expect(authenticate(bearer(header))).toMatchObject(caller);
    expect(() => authenticate(bearer(`Bearer ${token} extra`))).toThrow(
      expect.objectContaining({ code: 'UNAUTHENTICATED' }),
    );
    policy = compileAccessFile({
      tiers: { free: {}, partner: {} },
      defaultTier: 'free',
      clients: { shop: { tier: 'partner', scopes: ['orders:read'], keys: [], certificates: [] } },
    });
    expect(authenticate(bearer(`Bearer ${token}`))).toMatchObject({ ...caller, tier: 'partner' });
  });
});
