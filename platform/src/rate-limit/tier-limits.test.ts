import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { compileAccessFile, loadAccessFile } from '../auth/access-file.ts';
import { ConfigError } from '../config/index.ts';
import { ANONYMOUS } from '../contracts/index.ts';
import { clientAddress, partitionKey } from './caller-key.ts';
import { compileTierLimits } from './tier-limits.ts';

const policyWith = (tiers: Record<string, Record<string, unknown>>) =>
  compileAccessFile({ tiers, defaultTier: Object.keys(tiers)[0] ?? 'free', clients: {} });

describe('compileTierLimits', () => {
  const tiers = compileTierLimits(
    policyWith({
      partner: {
        rateLimits: [
          { name: 'partner-burst', requests: 50, windowSeconds: 1 },
          { name: 'partner', requests: 3000, windowSeconds: 60 },
        ],
        routes: {
          '* /api/v1/supplier': [{ name: 'supplier', requests: 100, windowSeconds: 60 }],
          'POST /api/v1/supplier/PlaceSupplierOrder': [
            { name: 'orders', requests: 30, windowSeconds: 60 },
          ],
        },
        operations: { 'Mutation.placeOrder': [{ name: 'place', requests: 5, windowSeconds: 60 }] },
        graphqlCost: { budgetPerMinute: 500_000 },
        // Other settings of a tier are left to what reads them.
        supportPlan: 'gold',
      },
      internal: {},
    }),
  );

  it("reads a tier's limits as policies (requests per window)", () => {
    expect(tiers.get('partner')?.base).toEqual([
      { name: 'partner-burst', points: 50, windowSeconds: 1 },
      { name: 'partner', points: 3000, windowSeconds: 60 },
    ]);
    expect(tiers.get('internal')?.base).toEqual([]);
    expect(tiers.get('partner')?.operations.get('Mutation.placeOrder')).toEqual([
      { name: 'place', points: 5, windowSeconds: 60 },
    ]);
  });

  it("reads a tier's GraphQL cost budget; a tier without one leaves it to the gateway's default", () => {
    expect(tiers.get('partner')?.graphqlCostBudgetPerMinute).toBe(500_000);
    expect(tiers.get('internal')?.graphqlCostBudgetPerMinute).toBeUndefined();
  });

  it('picks the most specific route by method and path prefix, never a mere string prefix', () => {
    const route = tiers.get('partner')!.route;
    expect(route('POST', '/api/v1/supplier/PlaceSupplierOrder').map((p) => p.name)).toEqual([
      'orders',
    ]);
    expect(route('GET', '/api/v1/supplier/GetStockLevel').map((p) => p.name)).toEqual(['supplier']);
    expect(route('GET', '/api/v1/supplier').map((p) => p.name)).toEqual(['supplier']);
    expect(route('GET', '/api/v1/supplierX')).toEqual([]);
    expect(route('GET', '/api/v2/customers/7')).toEqual([]);
  });

  it('accepts the shipped access file (deploy/access.yaml)', () => {
    const shipped = compileTierLimits(
      loadAccessFile(fileURLToPath(new URL('../../../deploy/access.yaml', import.meta.url))),
    );
    expect(shipped.get('anonymous')?.base.length).toBeGreaterThan(0);
    expect(shipped.get('internal')?.base).toEqual([]);
  });

  it('lists every problem of a bad tier in one ConfigError', () => {
    const bad = () =>
      compileTierLimits(
        policyWith({
          free: {
            rateLimits: [
              { name: 'free', requests: 0, windowSeconds: 60 },
              { name: 'has space', requests: 1, windowSeconds: 1 },
            ],
            routes: { '/api/no-method': [] },
            graphqlCost: { budgetPerMinute: -1, perMinute: 5 },
          },
          partner: {
            rateLimits: [
              { name: 'same', requests: 1, windowSeconds: 1 },
              { name: 'same', requests: 2, windowSeconds: 1 },
            ],
          },
        }),
      );
    expect(bad).toThrow(ConfigError);
    try {
      bad();
    } catch (error) {
      const { problems } = error as ConfigError;
      expect(problems).toHaveLength(6);
      expect(problems.filter((p) => p.startsWith('tiers.free.graphqlCost'))).toHaveLength(2);
    }
  });
});

describe('partitionKey', () => {
  const req = { socket: { remoteAddress: '203.0.113.7' } } as never;
  it('counts a client as itself, a user token as that user, an anonymous caller by address', () => {
    const base = { scopes: new Set<string>(), tier: 'partner' };
    expect(partitionKey({ ...base, method: 'api-key', clientId: 'acme' }, req)).toBe('client:acme');
    expect(partitionKey({ ...base, method: 'mtls', clientId: 'batch' }, req)).toBe('client:batch');
    expect(partitionKey({ ...base, method: 'jwt', clientId: 'spa' }, req)).toBe('client:spa');
    expect(partitionKey({ ...base, method: 'jwt', clientId: 'spa', subject: '42' }, req)).toBe(
      'user:spa:42',
    );
    expect(partitionKey(ANONYMOUS, req)).toBe('ip:203.0.113.7');
  });
});

describe('clientAddress', () => {
  const behind = (forwarded: string | undefined) =>
    ({
      headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded },
      socket: { remoteAddress: '10.0.0.5' },
    }) as never;
  it('takes the address the outermost trusted proxy saw, never one the client wrote', () => {
    expect(clientAddress(behind('198.51.100.9'), 1)).toBe('198.51.100.9');
    expect(clientAddress(behind('6.6.6.6, 198.51.100.9'), 1)).toBe('198.51.100.9');
    expect(clientAddress(behind('6.6.6.6, 198.51.100.9, 10.0.0.2'), 2)).toBe('198.51.100.9');
  });
  it("uses the connection's address without trusted proxies, or without the header", () => {
    expect(clientAddress(behind('6.6.6.6'), 0)).toBe('10.0.0.5');
    expect(clientAddress(behind(undefined), 1)).toBe('10.0.0.5');
  });
});
