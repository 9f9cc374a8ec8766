import { describe, expect, it } from 'vitest';
import { compileAccessFile } from './access-file.ts';
import { clientForCertificate } from './mtls.ts';

const policy = compileAccessFile({
  tiers: { internal: {} },
  defaultTier: 'internal',
  clients: {
    'orders-batch': {
      tier: 'internal',
      scopes: [],
      keys: [],
      certificates: [{ commonName: 'orders-batch' }],
    },
    'stock-sync': {
      tier: 'internal',
      scopes: [],
      keys: [],
      certificates: [{ san: 'URI:spiffe://manifold/stock-sync' }],
    },
  },
});

describe('clientForCertificate', () => {
  it('maps a certificate to the client that names its subject CN or one of its SANs', () => {
    expect(clientForCertificate(policy, { commonName: 'orders-batch', sans: [] })?.id).toBe(
      'orders-batch',
    );
    expect(
      clientForCertificate(policy, {
        commonName: 'something else',
        sans: ['DNS:stock-sync.internal', 'URI:spiffe://manifold/stock-sync'],
      })?.id,
    ).toBe('stock-sync');
    expect(
      clientForCertificate(policy, { commonName: 'stock-sync', sans: ['DNS:stock-sync'] }),
    ).toBeUndefined();
  });
});
