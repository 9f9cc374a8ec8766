import { parsePageArgs, toConnection, type PageArgs } from '@manifold/platform/data';
import type { ArticleRow } from '../data/rows.ts';
import type { ContentContext } from '../context.ts';

const ARTICLES_CONNECTION = 'Query.articles';

const NEWEST = 'ORDER BY published_at DESC, id DESC LIMIT ?';

export const Query = {
  article: (_: unknown, { slug }: { slug: string }, { loaders }: ContentContext) =>
    loaders.articleBySlug.load(slug),

  articles: (_: unknown, args: PageArgs, { db }: ContentContext) => {
    const { limit, after } = parsePageArgs(ARTICLES_CONNECTION, args, ['string', 'integer']);
    // Row values keep the keyset walk on the (published_at DESC, id DESC) index.
    const rows =
      after === undefined
        ? db.all<ArticleRow>(`SELECT * FROM articles ${NEWEST}`, limit + 1)
        : db.all<ArticleRow>(
            `SELECT * FROM articles WHERE (published_at, id) < (?, ?) ${NEWEST}`,
            ...after,
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
