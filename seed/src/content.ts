import { createRng } from './rng.ts';
import { NOUNS, SENTENCES, TOPICS } from './words.ts';

export interface SeedArticle {
  id: string;
  slug: string;
  title: string;
  body: string;
  publishedAt: string;
  authorId: string;
  featuredProductIds: string[];
}

export interface SeedReview {
  id: string;
  productId: string;
  authorId: string;
  rating: number;
  body: string;
  createdAt: string;
}

const START = Date.UTC(2020, 0, 1);
const SPAN_MS = Date.UTC(2026, 9, 31) - START;

export function* generateArticles(
  count: number,
  userCount: number,
  productCount: number,
  seed: number,
): Generator<SeedArticle> {
  const rng = createRng(seed, 'articles');
  for (let i = 1; i <= count; i++) {
    const noun = rng.pick(NOUNS);
    const topic = rng.pick(TOPICS);
    const title = `The ${noun} ${topic} #${i}`;
    const featured = new Set<string>();
    const featuredCount = rng.int(1, 4);
    while (featured.size < featuredCount) featured.add(String(rng.int(1, productCount)));
    yield {
      id: String(i),
      slug: title
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/(^-|-$)/g, ''),
      title,
      body: Array.from({ length: rng.int(3, 8) }, () => rng.pick(SENTENCES)).join(' '),
      publishedAt: new Date(START + Math.floor(rng.next() * SPAN_MS)).toISOString(),
      authorId: String(rng.int(1, userCount)),
      featuredProductIds: [...featured],
    };
  }
}

export function* generateReviews(
  count: number,
  userCount: number,
  productCount: number,
  seed: number,
): Generator<SeedReview> {
  const rng = createRng(seed, 'reviews');
  for (let i = 1; i <= count; i++) {
    // Skewed towards good ratings, as real shops are.
    const roll = rng.next();
    const rating = roll < 0.05 ? 1 : roll < 0.12 ? 2 : roll < 0.3 ? 3 : roll < 0.65 ? 4 : 5;
    yield {
      id: String(i),
      productId: String(rng.int(1, productCount)),
      authorId: String(rng.int(1, userCount)),
      rating,
      body: `${rng.pick(SENTENCES)} ${rng.pick(SENTENCES)}`,
      createdAt: new Date(START + Math.floor(rng.next() * SPAN_MS)).toISOString(),
    };
  }
}
