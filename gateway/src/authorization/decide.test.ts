import { ANONYMOUS, type Caller } from '@manifold/platform/contracts';
import { describe, expect, it } from 'vitest';
import { allows, decide } from './decide.ts';
import { MANIFOLD_POLICIES } from './policies.ts';

const user = (subject: string, scopes: string[] = []): Caller => ({
  method: 'jwt',
  clientId: 'web',
  subject,
  scopes: new Set(scopes),
  tier: 'free',
});
const none = { authenticated: false, scopes: [], policies: [] };

describe('decide (before planning)', () => {
  it('@authenticated refuses only anonymous callers', () => {
    const requirement = { ...none, authenticated: true };
    expect(decide(requirement, ANONYMOUS, {}, {}).kind).toBe('deny');
    expect(decide(requirement, user('1'), {}, {}).kind).toBe('allow');
  });

  it('@requiresScopes: any inner list, all of its scopes; several directives must all hold', () => {
    const requirement = { ...none, scopes: [[['a', 'b'], ['c']], [['d']]] };
    expect(decide(requirement, user('1', ['a', 'b', 'd']), {}, {}).kind).toBe('allow');
    expect(decide(requirement, user('1', ['c', 'd']), {}, {}).kind).toBe('allow');
    expect(decide(requirement, user('1', ['a', 'd']), {}, {}).kind).toBe('deny');
    expect(decide(requirement, user('1', ['c']), {}, {}).kind).toBe('deny');
  });

  it('@policy: decided from the caller when it can, deferred to the data when it must, refused when unknown', () => {
    const self = { ...none, policies: [[['self-or-users:read']]] };
    expect(decide(self, user('1', ['users:read']), {}, MANIFOLD_POLICIES).kind).toBe('allow');
    expect(decide(self, ANONYMOUS, {}, MANIFOLD_POLICIES).kind).toBe('deny');
    const deferred = decide(self, user('1'), {}, MANIFOLD_POLICIES);
    expect(deferred.kind).toBe('inspect');
    if (deferred.kind !== 'inspect') return;
    expect(allows(deferred.formula, user('1'), { id: '1' }, MANIFOLD_POLICIES)).toBe(true);
    expect(allows(deferred.formula, user('1'), { id: '2' }, MANIFOLD_POLICIES)).toBe(false);
    expect(
      decide(
        { ...none, policies: [[['no-such-policy']]] },
        user('1', ['users:read']),
        {},
        MANIFOLD_POLICIES,
      ).kind,
    ).toBe('deny');
  });

  it('placeOrder: for the caller themself, or for anyone with orders:admin (from the arguments)', () => {
    const own = { ...none, policies: [[['own-orders-or-orders:admin']]] };
    const args = (customerId: string) => ({ input: { customerId } });
    expect(decide(own, user('1'), args('1'), MANIFOLD_POLICIES).kind).toBe('allow');
    expect(decide(own, user('1'), args('2'), MANIFOLD_POLICIES).kind).toBe('deny');
    expect(decide(own, user('9', ['orders:admin']), args('2'), MANIFOLD_POLICIES).kind).toBe(
      'allow',
    );
  });
});
