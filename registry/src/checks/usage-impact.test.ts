import { describe, expect, it } from 'vitest';
import type { SchemaChange } from '../composition/protocol.ts';
import { summarizeImpact, touches, usageKeys } from './usage-impact.ts';

const change = (type: string, path: string | null): SchemaChange => ({
  type,
  path,
  criticality: 'BREAKING',
  message: type,
});
const use = (coordinate: string, operationHash: string, clientName: string, count: number) => ({
  coordinate,
  operationHash,
  operationName: `op-${operationHash}`,
  clientName,
  clientVersion: '1.0',
  count,
});

describe('usageKeys', () => {
  it('maps inspector paths to schema coordinates', () => {
    expect(usageKeys(change('FIELD_REMOVED', 'User.email'))).toEqual({
      coordinates: ['User.email'],
      types: [],
    });
    expect(usageKeys(change('FIELD_ARGUMENT_REMOVED', 'Query.user.id'))).toEqual({
      coordinates: ['Query.user(id:)'],
      types: [],
    });
    expect(usageKeys(change('TYPE_REMOVED', 'Money'))).toEqual({
      coordinates: [],
      types: ['Money'],
    });
  });

  it('looks for the users of the parent when something required is added', () => {
    expect(usageKeys(change('FIELD_ARGUMENT_ADDED', 'Query.users.tenant'))).toEqual({
      coordinates: ['Query.users'],
      types: [],
    });
    expect(usageKeys(change('INPUT_FIELD_ADDED', 'ProductFilter.tenant'))).toEqual({
      coordinates: [],
      types: ['ProductFilter'],
    });
  });

  it('has nothing to look for in directive changes', () => {
    expect(usageKeys(change('DIRECTIVE_REMOVED', '@cached'))).toEqual({
      coordinates: [],
      types: [],
    });
    expect(usageKeys(change('SCHEMA_QUERY_TYPE_CHANGED', null))).toEqual({
      coordinates: [],
      types: [],
    });
  });

  it('matches a type key against every coordinate of the type', () => {
    const keys = usageKeys(change('TYPE_REMOVED', 'Money'));
    expect(touches(keys, use('Money.amount', 'a', 'web', 1))).toBe(true);
    expect(touches(keys, use('MoneyBag.amount', 'a', 'web', 1))).toBe(false);
  });
});

describe('summarizeImpact', () => {
  it('counts each operation and client once, busiest first', () => {
    const impact = summarizeImpact([
      use('Money.amount', 'a', 'web', 5),
      use('Money.currency', 'a', 'web', 5),
      use('Money.amount', 'a', 'ios', 1),
      use('Money.amount', 'b', 'web', 50),
    ]);
    expect(impact).toEqual({
      count: 56,
      operations: [
        {
          hash: 'b',
          name: 'op-b',
          count: 50,
          clients: [{ name: 'web', version: '1.0', count: 50 }],
        },
        {
          hash: 'a',
          name: 'op-a',
          count: 6,
          clients: [
            { name: 'web', version: '1.0', count: 5 },
            { name: 'ios', version: '1.0', count: 1 },
          ],
        },
      ],
    });
    expect(summarizeImpact([])).toBeNull();
  });
});
