import { AppError } from '../errors/index.ts';

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

/** The type of each sort-key value a list's cursors carry, e.g. `['string', 'integer']`. */
export type KeyShape = readonly ('string' | 'integer')[];

/** The sort-key tuple a `KeyShape` describes: `['string', 'integer']` → `[string, number]`. */
export type KeyOf<S extends KeyShape> = {
  -readonly [I in keyof S]: S[I] extends 'string' ? string : number;
};

export interface PageRequest<S extends KeyShape> {
  /** Rows to return (the resolver fetches `limit + 1` to learn whether there is a next page). */
  limit: number;
  /** Sort-key values of the last row already seen, or undefined for the first page. */
  after: KeyOf<S> | undefined;
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

const fitsShape = (key: unknown, shape: KeyShape): boolean =>
  Array.isArray(key) &&
  key.length === shape.length &&
  shape.every((type, i) =>
    type === 'string' ? typeof key[i] === 'string' : Number.isSafeInteger(key[i]),
  );

/**
 * The sort key inside a cursor this list issued. Anything else — not base64url JSON, another
 * list's cursor, or a well-encoded key of the wrong shape (which would silently mis-page) — is
 * BAD_USER_INPUT.
 */
export function decodeCursor<const S extends KeyShape>(
  connection: string,
  cursor: string,
  shape: S,
): KeyOf<S> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const value = parsed as { c?: unknown; k?: unknown } | undefined;
  if (value?.c !== connection || !fitsShape(value.k, shape)) {
    throw new AppError('BAD_USER_INPUT', `Invalid cursor for ${connection}`, {
      errors: [{ pointer: '/after', detail: 'not a cursor issued by this list' }],
    });
  }
  return value.k as KeyOf<S>;
}

/** Validates `first`/`after` (BAD_USER_INPUT on a bad cursor, or `first` outside 0..max). */
export function parsePageArgs<const S extends KeyShape>(
  connection: string,
  { first, after }: PageArgs,
  keyShape: S,
  { defaultFirst = 10, maxFirst = 100 }: PageLimits = {},
): PageRequest<S> {
  const limit = first ?? defaultFirst;
  if (!Number.isInteger(limit) || limit < 0 || limit > maxFirst) {
    throw new AppError('BAD_USER_INPUT', `first must be between 0 and ${maxFirst}`, {
      errors: [{ pointer: '/first', detail: `must be an integer from 0 to ${maxFirst}` }],
    });
  }
  return { limit, after: after == null ? undefined : decodeCursor(connection, after, keyShape) };
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
