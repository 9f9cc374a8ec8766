import { createJwtVerifier, MANIFOLD_API_AUDIENCE } from '@manifold/platform/auth';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startIdentityProvider,
  type TestIdentityProvider,
} from '../../../test/support/identity-provider.ts';

let idp: TestIdentityProvider;
beforeAll(async () => {
  idp = await startIdentityProvider();
});
afterAll(async () => {
  await idp.close();
});

describe('the reference identity provider', () => {
  it('publishes discovery and a JWKS with its RS256 key', async () => {
    const discovery = (await (
      await fetch(`${idp.issuer}/.well-known/openid-configuration`)
    ).json()) as { issuer: string; jwks_uri: string; grant_types_supported: string[] };
    expect(discovery.issuer).toBe(idp.issuer);
    expect(discovery.grant_types_supported).toEqual(
      expect.arrayContaining(['authorization_code', 'client_credentials', 'refresh_token']),
    );
    const jwks = (await (await fetch(discovery.jwks_uri)).json()) as {
      keys: { kty: string; d?: string }[];
    };
    expect(jwks.keys[0]?.kty).toBe('RSA');
    expect(jwks.keys[0]?.d).toBeUndefined();
  });

  it('issues a service a JWT access token for the Manifold API by client credentials', async () => {
    const token = await idp.serviceToken('partner-demo', 'customers:read');
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
    const verified = await createJwtVerifier({
      issuer: idp.issuer,
      audience: MANIFOLD_API_AUDIENCE,
    }).verify(token);
    expect(verified).toMatchObject({ clientId: 'partner-demo', subject: undefined });
    expect([...verified.scopes]).toEqual(['customers:read']);
  });

  it('refuses a service a scope it was not given, and a wrong secret', async () => {
    await expect(idp.serviceToken('partner-demo', 'users:read')).rejects.toThrow(/invalid_scope/);
    const response = await fetch(`${idp.issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('partner-demo:wrong').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    expect(response.status).toBe(401);
  });

  it('logs a test user in (authorization code + PKCE) and issues a token for them, with only what a user may grant', async () => {
    const token = await idp.userToken('42');
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      sub: '42',
      client_id: 'manifold-cli',
      aud: MANIFOLD_API_AUDIENCE,
    });
    expect(claims['scope']).toBe('orders:write');
    await expect(idp.userToken('42', 'openid users:read')).rejects.toThrow(/invalid_scope/);
  });

  it('refuses a wrong test password', async () => {
    await expect(
      (await import('../src/tokens.ts')).testUserToken({
        issuer: idp.issuer,
        clientSecret: idp.clientSecret('manifold-cli'),
        username: '42',
        password: 'not-the-password',
      }),
    ).rejects.toThrow(/login stopped/);
  });
});
