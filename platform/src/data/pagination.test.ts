import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, parsePageArgs, toConnection } from './pagination.ts';

const codeOf = (run: () => unknown): unknown => {
  try {
    run();
  } catch (error) {
    return (error as { code?: unknown }).code;
  }
  return undefined;
};

describe('cursor pagination', () => {
  it('round-trips a keyset cursor', () => {
    expect(
      decodeCursor('Query.users', encodeCursor('Query.users', ['2026-01-01T00:00:00.000Z', 42]), [
        'string',
        'integer',
      ]),
    ).toEqual(['2026-01-01T00:00:00.000Z', 42]);
  });

  it('rejects garbage, tampered and foreign cursors with BAD_USER_INPUT', () => {
    const id = ['integer'] as const;
    expect(codeOf(() => decodeCursor('Query.users', 'not-a-cursor', id))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => decodeCursor('Query.users', encodeCursor('User.orders', [1]), id))).toBe(
      'BAD_USER_INPUT',
    );
    const tampered = Buffer.from(JSON.stringify({ c: 'Query.users', k: [{ $gt: 1 }] })).toString(
      'base64url',
    );
    expect(codeOf(() => decodeCursor('Query.users', tampered, id))).toBe('BAD_USER_INPUT');
  });

  it('rejects a well-encoded cursor whose key has the wrong shape (it would mis-page silently)', () => {
    for (const key of [[], ['abc'], [1, 2], [1.5], [Number.MAX_SAFE_INTEGER + 2]]) {
      expect(
        codeOf(() => decodeCursor('Query.users', encodeCursor('Query.users', key), ['integer'])),
      ).toBe('BAD_USER_INPUT');
    }
    expect(
      codeOf(() =>
        decodeCursor('User.orders', encodeCursor('User.orders', [7, 'x']), ['string', 'integer']),
      ),
    ).toBe('BAD_USER_INPUT');
  });

  it('validates first: 0..max, integer', () => {
    expect(parsePageArgs('c', { first: 100 }, ['integer']).limit).toBe(100);
    expect(parsePageArgs('c', {}, ['integer']).limit).toBe(10);
    expect(codeOf(() => parsePageArgs('c', { first: 101 }, ['integer']))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => parsePageArgs('c', { first: -1 }, ['integer']))).toBe('BAD_USER_INPUT');
  });

  it('builds a connection from limit + 1 rows', () => {
    const rows = [{ id: 1 }, { id: 2 }, { id: 3 }];
    const page = toConnection('c', rows, 2, (row) => [row.id], 3);
    expect(page.edges.map((edge) => edge.node.id)).toEqual([1, 2]);
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(decodeCursor('c', page.pageInfo.endCursor!, ['integer'])).toEqual([2]);
    const last = toConnection('c', rows.slice(2), 2, (row) => [row.id], 3);
    expect(last.pageInfo).toEqual({ hasNextPage: false, endCursor: last.edges[0]!.cursor });
    expect(toConnection('c', [], 2, (row: { id: number }) => [row.id], 0).pageInfo).toEqual({
      hasNextPage: false,
      endCursor: null,
    });
  });
});
