import { describe, expect, it } from 'vitest';
import { createRecentFailures } from './recent-failures.ts';

const failure = (name: string) => ({
  at: '2026-12-03T10:00:00.000Z',
  name,
  status: 503,
  code: 'UPSTREAM_UNAVAILABLE',
});

describe('createRecentFailures', () => {
  it('lists the latest failures, newest first, forgetting the oldest beyond its capacity', () => {
    const failures = createRecentFailures(3);
    expect(failures.list()).toEqual([]);
    for (const name of ['a', 'b', 'c', 'd', 'e']) failures.record(failure(name));
    expect(failures.list().map((entry) => entry.name)).toEqual(['e', 'd', 'c']);
  });
});
