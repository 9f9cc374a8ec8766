import DataLoader from 'dataloader';
import { jsonList, type SqliteDatabase } from '@manifold/platform/data';
import type { ArticleRow, ReviewRow } from './data/rows.ts';

/** The newest `limit` reviews of one product or by one author. */
export interface ReviewsKey {
  id: string;
  limit: number;
}

export interface ContentLoaders {
  articleById: DataLoader<string, ArticleRow | null>;
  articleBySlug: DataLoader<string, ArticleRow | null>;
  reviewsByProduct: DataLoader<ReviewsKey, ReviewRow[], string>;
  reviewsByAuthor: DataLoader<ReviewsKey, ReviewRow[], string>;
  averageRatingByProduct: DataLoader<string, number | null>;
  articlesByProduct: DataLoader<string, ArticleRow[]>;
  featuredProductIdsByArticle: DataLoader<number, number[]>;
}

const reviewsKey = (key: ReviewsKey) => `${key.id}|${key.limit}`;

/** Groups rows by `keyOf` into one list per requested id, in request order. */
function groupBy<Row, K>(ids: readonly K[], rows: readonly Row[], keyOf: (row: Row) => K): Row[][] {
  const groups = new Map<K, Row[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return ids.map((id) => groups.get(id) ?? []);
}

/**
 * The newest `limit` reviews per parent for many parents in one statement per distinct limit
 * (in practice one): ROW_NUMBER() partitions by the parent column.
 */
function reviewsPer(db: SqliteDatabase, column: 'product_id' | 'author_id') {
  return (keys: readonly ReviewsKey[]): Promise<ReviewRow[][]> => {
    const byLimit = new Map<number, ReviewsKey[]>();
    for (const key of keys) {
      const group = byLimit.get(key.limit);
      if (group) group.push(key);
      else byLimit.set(key.limit, [key]);
    }
    const results = new Map<string, ReviewRow[]>();
    for (const [limit, group] of byLimit) {
      const rows = db.all<ReviewRow>(
        `SELECT id, product_id, author_id, rating, body, created_at FROM (
           SELECT r.*, ROW_NUMBER() OVER (PARTITION BY ${column} ORDER BY created_at DESC, id DESC) AS rn
           FROM reviews r WHERE ${column} IN (SELECT value FROM json_each(?))
         ) WHERE rn <= ? ORDER BY ${column}, rn`,
        jsonList(group.map((key) => Number(key.id))),
        limit,
      );
      const grouped = groupBy(
        group.map((key) => key.id),
        rows,
        (row) => String(row[column]),
      );
      group.forEach((key, index) => results.set(reviewsKey(key), grouped[index] ?? []));
    }
    return Promise.resolve(keys.map((key) => results.get(reviewsKey(key)) ?? []));
  };
}

/** One set per request: batching and caching never cross callers. Sync SQLite, promises for DataLoader. */
export function createLoaders(db: SqliteDatabase): ContentLoaders {
  const articlesWhere = (column: 'id' | 'slug') => (keys: readonly string[]) => {
    const values = column === 'id' ? keys.map(Number) : keys;
    const rows = db.all<ArticleRow>(
      `SELECT * FROM articles WHERE ${column} IN (SELECT value FROM json_each(?))`,
      jsonList(values),
    );
    const found = new Map(rows.map((row) => [String(row[column]), row]));
    return Promise.resolve(keys.map((key) => found.get(key) ?? null));
  };
  return {
    articleById: new DataLoader(articlesWhere('id')),
    articleBySlug: new DataLoader(articlesWhere('slug')),
    reviewsByProduct: new DataLoader(reviewsPer(db, 'product_id'), { cacheKeyFn: reviewsKey }),
    reviewsByAuthor: new DataLoader(reviewsPer(db, 'author_id'), { cacheKeyFn: reviewsKey }),

    averageRatingByProduct: new DataLoader((productIds) => {
      const rows = db.all<{ product_id: number; average: number }>(
        'SELECT product_id, round(avg(rating), 2) AS average FROM reviews WHERE product_id IN (SELECT value FROM json_each(?)) GROUP BY product_id',
        jsonList(productIds.map(Number)),
      );
      const averages = new Map(rows.map((row) => [String(row.product_id), row.average]));
      return Promise.resolve(productIds.map((id) => averages.get(id) ?? null));
    }),

    articlesByProduct: new DataLoader((productIds) => {
      const rows = db.all<ArticleRow & { product_id: number }>(
        `SELECT a.*, ap.product_id FROM article_products ap JOIN articles a ON a.id = ap.article_id
         WHERE ap.product_id IN (SELECT value FROM json_each(?)) ORDER BY a.published_at DESC, a.id DESC`,
        jsonList(productIds.map(Number)),
      );
      return Promise.resolve(groupBy(productIds, rows, (row) => String(row.product_id)));
    }),

    featuredProductIdsByArticle: new DataLoader((articleIds) => {
      const rows = db.all<{ article_id: number; product_id: number }>(
        'SELECT article_id, product_id FROM article_products WHERE article_id IN (SELECT value FROM json_each(?)) ORDER BY article_id, position',
        jsonList(articleIds),
      );
      return Promise.resolve(
        groupBy(articleIds, rows, (row) => row.article_id).map((group) =>
          group.map((row) => row.product_id),
        ),
      );
    }),
  };
}
