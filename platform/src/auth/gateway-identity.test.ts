import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { Header, type Caller } from '../contracts/index.ts';
import { createGatewayIdentitySigner, createGatewayIdentityVerifier } from './gateway-identity.ts';
import { Secret } from './secrets.ts';

const caller: Caller = {
  method: 'api-key',
  clientId: 'partner',
  subject: '42',
  scopes: new Set(['orders:read', 'users:read']),
  tier: 'partner',
  credentialId: 'abcdefghij012345',
};
const request = (token: string) =>
  ({ headers: { [Header.identity]: token } }) as unknown as IncomingMessage;

describe('the gateway-signed identity', () => {
  it('carries the whole caller to the subgraph, and is signed once per caller while fresh', async () => {
    let value = 'a'.repeat(32);
    const secret = new Secret(() => value, 'test');
    const signer = createGatewayIdentitySigner(secret);
    const verifier = createGatewayIdentityVerifier(secret, { rotationGraceMs: 60_000 });
    const token = await signer.headerFor(caller);
    expect(await signer.headerFor(caller)).toBe(token);
    expect(await verifier.verify(request(token))).toEqual(caller);

    value = 'b'.repeat(32); // rotated: the old signature is still accepted during the grace period
    const fresh = createGatewayIdentityVerifier(new Secret(() => value, 'test'));
    await expect(fresh.verify(request(token))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await verifier.verify(request(await signer.headerFor(caller)))).toEqual(caller);
  });

  it('refuses a short secret at start-up', () => {
    expect(() => createGatewayIdentitySigner(new Secret(() => 'short', 'test'))).toThrow(
      /at least 32/,
    );
  });
});
