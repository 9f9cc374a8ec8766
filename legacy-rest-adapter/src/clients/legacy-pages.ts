import { decodeCursor, encodeCursor } from '@manifold/platform/data';
import { UpstreamError } from '@manifold/platform/errors';

const LEGACY_PAGE = 100; // the largest page the monolith serves

/** One page of a list, as every list answers: `{ data, page: { limit, total, nextCursor } }`. */
export interface Page<T> {
  data: T[];
  page: { limit: number; total: number; nextCursor: string | null };
}

const brokenPage = (path: string, what: string) =>
  new UpstreamError('UPSTREAM_ERROR', 'legacy', `legacy answered ${path} with ${what}`, {
    transient: false,
  });

/**
 * One legacy page's total and rows. A list with no row in it may have no key at all: the XML
 * pages write a list as repeated elements, so an empty one is no element (legacy-xml.ts cannot
 * tell an empty list from an absent field). Anything else that is not a list is the monolith
 * breaking its contract: 502, never a 500 of ours.
 */
function pageOf(
  body: Record<string, unknown>,
  key: string,
  path: string,
): { total: number; rows: Record<string, unknown>[] } {
  const total = Number(body['total']);
  if (!Number.isSafeInteger(total) || total < 0)
    throw brokenPage(path, `an unreadable total: ${JSON.stringify(body['total'])}`);
  const rows = body[key] ?? [];
  if (
    !Array.isArray(rows) ||
    !rows.every((row) => typeof row === 'object' && row !== null && !Array.isArray(row))
  )
    throw brokenPage(path, `no list of records under "${key}"`);
  return { total, rows: rows as Record<string, unknown>[] };
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
    const pagePath = `${path}&page=${page}&per_page=${LEGACY_PAGE}`;
    const { total: pageTotal, rows: pageRows } = pageOf(await json(pagePath), key, pagePath);
    total = pageTotal;
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
