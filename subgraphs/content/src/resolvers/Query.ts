import { AppError } from '@manifold/platform/errors';
import { parsePageArgs, toConnection, type PageArgs } from '@manifold/platform/pagination';
import type { ArticleRow } from '../data/rows.ts';
import type { ContentContext } from '../context.ts';

const ARTICLES_CONNECTION = 'Query.articles';

const NEWEST = 'ORDER BY published_at DESC, id DESC LIMIT ?';

/** The keyset [publishedAt, id]; a well-encoded cursor of another shape is still forged input. */
function articleKey(after: readonly (string | number)[]): [string, number] {
  const [publishedAt, id] = after;
  if (after.length !== 2 || typeof publishedAt !== 'string' || typeof id !== 'number') {
    throw new AppError('BAD_USER_INPUT', `Invalid cursor for ${ARTICLES_CONNECTION}`, {
      errors: [{ pointer: '/after', detail: 'not a cursor issued by this list' }],
    });
  }
  return [publishedAt, id];
}

export const Query = {
  article: (_: unknown, { slug }: { slug: string }, { loaders }: ContentContext) =>
    loaders.articleBySlug.load(slug),

  articles: (_: unknown, args: PageArgs, { db }: ContentContext) => {
    const { limit, after } = parsePageArgs(ARTICLES_CONNECTION, args);
    // Row values keep the keyset walk on the (published_at DESC, id DESC) index.
    const rows =
      after === undefined
        ? db.all<ArticleRow>(`SELECT * FROM articles ${NEWEST}`, limit + 1)
        : db.all<ArticleRow>(
            `SELECT * FROM articles WHERE (published_at, id) < (?, ?) ${NEWEST}`,
            ...articleKey(after),
            limit + 1,
          );
    const total = () => db.get<{ n: number }>('SELECT count(*) AS n FROM articles')?.n ?? 0;
    return toConnection(
      ARTICLES_CONNECTION,
      rows,
      limit,
      (row) => [row.published_at, row.id],
      total,
    );
  },
};
