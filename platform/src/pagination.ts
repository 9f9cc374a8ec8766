import { AppError } from './errors/index.ts';

/** Relay connection arguments as GraphQL hands them to a resolver. */
export interface PageArgs {
  first?: number | null | undefined;
  after?: string | null | undefined;
}

export interface PageLimits {
  /** @default 10 */
  defaultFirst?: number;
  /** @default 100 */
  maxFirst?: number;
}

export interface PageRequest {
  /** Rows to return (the resolver fetches `limit + 1` to learn whether there is a next page). */
  limit: number;
  /** Sort-key values of the last row already seen, or undefined for the first page. */
  after: readonly (string | number)[] | undefined;
}

/** A count, or a function computing it only when the client asks for `totalCount`. */
export type TotalCount = number | (() => number | Promise<number>);

export interface Connection<T> {
  edges: { node: T; cursor: string }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: TotalCount;
}

/**
 * Cursors are opaque base64url JSON `{ c: connection, k: sort key values }`. Keyset (not offset)
 * pagination, so a page stays stable while rows are inserted before it; the connection name
 * rejects a cursor taken from another list.
 */
export function encodeCursor(connection: string, key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify({ c: connection, k: key })).toString('base64url');
}

export function decodeCursor(connection: string, cursor: string): (string | number)[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const value = parsed as { c?: unknown; k?: unknown } | undefined;
  if (
    value?.c !== connection ||
    !Array.isArray(value.k) ||
    !value.k.every((part) => typeof part === 'string' || typeof part === 'number')
  ) {
    throw new AppError('BAD_USER_INPUT', `Invalid cursor for ${connection}`, {
      errors: [{ pointer: '/after', detail: 'not a cursor issued by this list' }],
    });
  }
  return value.k;
}

/** Validates `first`/`after` (BAD_USER_INPUT on a bad cursor, or `first` outside 0..max). */
export function parsePageArgs(
  connection: string,
  { first, after }: PageArgs,
  { defaultFirst = 10, maxFirst = 100 }: PageLimits = {},
): PageRequest {
  const limit = first ?? defaultFirst;
  if (!Number.isInteger(limit) || limit < 0 || limit > maxFirst) {
    throw new AppError('BAD_USER_INPUT', `first must be between 0 and ${maxFirst}`, {
      errors: [{ pointer: '/first', detail: `must be an integer from 0 to ${maxFirst}` }],
    });
  }
  return { limit, after: after == null ? undefined : decodeCursor(connection, after) };
}

/** Builds the connection from up to `limit + 1` rows fetched after the cursor. */
export function toConnection<T>(
  connection: string,
  rows: readonly T[],
  limit: number,
  keyOf: (row: T) => readonly (string | number)[],
  totalCount: TotalCount,
): Connection<T> {
  const page = rows.slice(0, limit);
  const edges = page.map((node) => ({ node, cursor: encodeCursor(connection, keyOf(node)) }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > limit, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount,
  };
}
