import { decodeCursor, encodeCursor } from '@manifold/platform/data';

const LEGACY_PAGE = 100; // the largest page the monolith serves

/** One page of a list, as every list answers: `{ data, page: { limit, total, nextCursor } }`. */
export interface Page<T> {
  data: T[];
  page: { limit: number; total: number; nextCursor: string | null };
}

/**
 * One page of legacy rows (mapped per version later). Stable opaque cursors over the monolith's page/per_page: a cursor is the absolute offset (our
 * own, base64url, bound to the list it came from), read through 100-row legacy pages — so a
 * client's `limit` need not match the legacy page size, and may change between pages.
 */
export async function legacyPage(
  json: (path: string) => Promise<Record<string, unknown>>,
  {
    list,
    path,
    key,
    limit,
    cursor,
  }: { list: string; path: string; key: string; limit: number; cursor: string | undefined },
): Promise<Page<Record<string, unknown>>> {
  const offset = cursor === undefined ? 0 : decodeCursor(list, cursor, ['integer'])[0];
  const rows: Record<string, unknown>[] = [];
  let total = 0;
  for (let next = offset; rows.length < limit;) {
    const page = Math.floor(next / LEGACY_PAGE) + 1;
    const body = await json(`${path}&page=${page}&per_page=${LEGACY_PAGE}`);
    total = Number(body['total']);
    const pageRows = body[key] as Record<string, unknown>[];
    const start = next - (page - 1) * LEGACY_PAGE;
    const taken = pageRows.slice(start, start + (limit - rows.length));
    rows.push(...taken);
    next += taken.length;
    if (taken.length === 0 || next >= total) break;
  }
  const end = offset + rows.length;
  return {
    data: rows,
    page: { limit, total, nextCursor: end < total ? encodeCursor(list, [end]) : null },
  };
}
