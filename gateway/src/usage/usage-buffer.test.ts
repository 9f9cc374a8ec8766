import { describe, expect, it } from 'vitest';
import type { OperationUsage } from './operation-usage.ts';
import { createUsageBuffer } from './usage-buffer.ts';

const usage = (hash: string): OperationUsage => ({
  name: `Op${hash}`,
  signature: `query Op${hash}{a}`,
  hash,
  coordinates: ['Query.a'],
});
const web = { name: 'web', version: '1.0' };

describe('createUsageBuffer', () => {
  it('adds up executions per hour, operation and client', () => {
    let now = Date.parse('2026-12-04T05:59:59.000Z');
    const buffer = createUsageBuffer({
      maxEntries: 10,
      onDropped: () => undefined,
      now: () => now,
    });
    buffer.record(usage('a'), web);
    buffer.record(usage('a'), web);
    buffer.record(usage('a'), { name: 'web', version: '2.0' });
    buffer.record(usage('b'), web);
    now += 1_000; // the next hour
    buffer.record(usage('a'), web);
    const entries = buffer.drain();
    expect(
      entries.map((entry) => [entry.hour, entry.operation.hash, entry.client.version, entry.count]),
    ).toEqual([
      ['2026-12-04T05:00:00.000Z', 'a', '1.0', 2],
      ['2026-12-04T05:00:00.000Z', 'a', '2.0', 1],
      ['2026-12-04T05:00:00.000Z', 'b', '1.0', 1],
      ['2026-12-04T06:00:00.000Z', 'a', '1.0', 1],
    ]);
    expect(buffer.drain()).toEqual([]);
  });

  it('drops and counts new entries beyond its bound, and still counts the ones it holds', () => {
    let dropped = 0;
    const buffer = createUsageBuffer({ maxEntries: 2, onDropped: (n) => (dropped += n) });
    buffer.record(usage('a'), web);
    buffer.record(usage('b'), web);
    buffer.record(usage('c'), web);
    buffer.record(usage('c'), web);
    buffer.record(usage('a'), web);
    expect(dropped).toBe(2);
    expect(buffer.drain().map((entry) => [entry.operation.hash, entry.count])).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
  });

  it('takes back entries a report could not deliver, adding their counts to newer ones', () => {
    const buffer = createUsageBuffer({ maxEntries: 10, onDropped: () => undefined });
    buffer.record(usage('a'), web);
    const undelivered = buffer.drain();
    buffer.record(usage('a'), web);
    buffer.restore(undelivered);
    expect(buffer.drain().map((entry) => entry.count)).toEqual([2]);
  });
});
