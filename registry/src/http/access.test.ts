import { describe, expect, it } from 'vitest';
import { publisherOf, registryScopes } from './access.ts';

describe('registryScopes', () => {
  const closed = registryScopes({ publicReads: false });
  const open = registryScopes({ publicReads: true });

  it('lets a subgraph be published with its own scope or the publish-any one, checked also with registry:check', () => {
    expect(closed('POST', '/subgraphs/orders/publish')).toEqual([
      ['registry:publish:orders'],
      ['registry:publish'],
    ]);
    expect(closed('POST', '/subgraphs/orders/check')).toEqual([
      ['registry:check'],
      ['registry:publish:orders'],
      ['registry:publish'],
    ]);
  });

  it('opens reads only when public reads are on, never writes', () => {
    expect(closed('GET', '/supergraph')).toEqual([['registry:read']]);
    expect(open('GET', '/supergraph/versions')).toBe('public');
    expect(open('POST', '/supergraph/rollback')).toEqual([['registry:admin']]);
    expect(open('POST', '/usage')).toEqual([['registry:report']]);
  });

  it('keeps health, docs and metrics public', () => {
    for (const path of ['/healthz', '/readyz', '/openapi.json', '/docs', '/metrics'])
      expect(closed('GET', path)).toBe('public');
  });
});

describe('publisherOf', () => {
  it('names the client, the user it spoke for and the key it used', () => {
    expect(
      publisherOf({
        method: 'api-key',
        clientId: 'products-team',
        scopes: new Set(),
        tier: 'internal',
        credentialId: 'k1',
      }),
    ).toBe('products-team [key k1]');
    expect(
      publisherOf({
        method: 'jwt',
        clientId: 'console',
        subject: '42',
        scopes: new Set(),
        tier: 'free',
      }),
    ).toBe('console (user 42)');
  });
});
