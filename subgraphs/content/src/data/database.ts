import { openSeededDatabase } from '@manifold/platform/data';
import type { SqliteDatabase } from '@manifold/platform/data';
import { DEFAULT_SEED, generateArticles, generateReviews, SEED_SIZES } from '@manifold/seed';

export interface ContentDatabaseOptions {
  /** File path or ':memory:'. */
  path: string;
  /** @default SEED_SIZES.articles (2,000) */
  articleCount?: number;
  /** @default SEED_SIZES.reviews (50,000) */
  reviewCount?: number;
  /** @default SEED_SIZES.users — authors referenced. */
  userCount?: number;
  /** @default SEED_SIZES.products — products referenced. */
  productCount?: number;
  /** @default DEFAULT_SEED */
  seed?: number;
  /** Rebuild even when a current file exists. @default false */
  rebuild?: boolean;
}

const SCHEMA_SQL = `
CREATE TABLE articles (
  id INTEGER PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  published_at TEXT NOT NULL,
  author_id INTEGER NOT NULL
);
CREATE INDEX articles_newest ON articles (published_at DESC, id DESC);
CREATE TABLE article_products (
  article_id INTEGER NOT NULL REFERENCES articles(id),
  product_id INTEGER NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (article_id, position)
) WITHOUT ROWID;
CREATE INDEX article_products_by_product ON article_products (product_id);
CREATE TABLE reviews (
  id INTEGER PRIMARY KEY,
  product_id INTEGER NOT NULL,
  author_id INTEGER NOT NULL,
  rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
  body TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX reviews_by_product ON reviews (product_id, created_at DESC, id DESC);
CREATE INDEX reviews_by_author ON reviews (author_id, created_at DESC, id DESC);`;

/** Opens the content database, seeding it deterministically on first start. */
export function openContentDatabase({
  path,
  articleCount = SEED_SIZES.articles,
  reviewCount = SEED_SIZES.reviews,
  userCount = SEED_SIZES.users,
  productCount = SEED_SIZES.products,
  seed = DEFAULT_SEED,
  rebuild = false,
}: ContentDatabaseOptions): SqliteDatabase {
  return openSeededDatabase({
    path,
    rebuild,
    version: `content-v1-${seed}-${articleCount}-${reviewCount}-${userCount}-${productCount}`,
    schemaSql: SCHEMA_SQL,
    seed: (db) => {
      for (const article of generateArticles(articleCount, userCount, productCount, seed)) {
        db.run(
          'INSERT INTO articles (id, slug, title, body, published_at, author_id) VALUES (?, ?, ?, ?, ?, ?)',
          Number(article.id),
          article.slug,
          article.title,
          article.body,
          article.publishedAt,
          Number(article.authorId),
        );
        article.featuredProductIds.forEach((productId, position) => {
          db.run(
            'INSERT INTO article_products (article_id, product_id, position) VALUES (?, ?, ?)',
            Number(article.id),
            Number(productId),
            position,
          );
        });
      }
      for (const review of generateReviews(reviewCount, userCount, productCount, seed)) {
        db.run(
          'INSERT INTO reviews (id, product_id, author_id, rating, body, created_at) VALUES (?, ?, ?, ?, ?, ?)',
          Number(review.id),
          Number(review.productId),
          Number(review.authorId),
          review.rating,
          review.body,
          review.createdAt,
        );
      }
    },
  });
}
