import { describe, expect, it } from 'vitest';
import { aggregateUsage, type UsageEntry } from './store.ts';

const entry = (minute: number, client: string | null, count: number): UsageEntry => ({
  hour: new Date(Date.UTC(2026, 11, 4, 5, minute)),
  operation: { hash: 'h1', name: 'Op', signature: '{a}' },
  client: { name: client, version: null },
  count,
  coordinates: ['Query.a', 'Query.a'],
});

describe('aggregateUsage', () => {
  it('sums counts per hour, operation and client, and lists each coordinate once', () => {
    const { counts, operations, coordinates } = aggregateUsage([
      entry(1, 'web', 2),
      entry(59, 'web', 3),
      entry(10, null, 1),
    ]);
    const hour = Date.UTC(2026, 11, 4, 5) / 1_000;
    expect(counts).toEqual([
      { hour, hash: 'h1', clientName: 'web', clientVersion: '', count: 5 },
      { hour, hash: 'h1', clientName: '', clientVersion: '', count: 1 },
    ]);
    expect(operations).toEqual([{ hash: 'h1', name: 'Op', signature: '{a}' }]);
    expect(coordinates).toEqual([{ hash: 'h1', coordinate: 'Query.a', type: 'Query' }]);
  });

  it('skips the operations and coordinates already stored, never their counts', () => {
    const { counts, operations, coordinates } = aggregateUsage(
      [entry(1, 'web', 2)],
      new Set(['h1']),
    );
    expect(counts).toHaveLength(1);
    expect(operations).toEqual([]);
    expect(coordinates).toEqual([]);
  });
});
