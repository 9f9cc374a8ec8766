import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SEED,
  generateArticles,
  generateOrders,
  generateProducts,
  generateReviews,
  generateUsers,
} from './index.ts';

const take = <T>(rows: Iterable<T>) => [...rows];
const everything = (seed: number) => ({
  users: take(generateUsers(200, seed)),
  products: take(generateProducts(100, 40, seed)),
  orders: take(generateOrders(300, 200, 100, (id) => id * 10, seed)),
  articles: take(generateArticles(50, 200, 100, seed)),
  reviews: take(generateReviews(300, 200, 100, seed)),
});

describe('the seed', () => {
  it('is the same data for the same seed, and other data for another', () => {
    expect(everything(DEFAULT_SEED)).toEqual(everything(DEFAULT_SEED));
    expect(everything(DEFAULT_SEED + 1).users).not.toEqual(everything(DEFAULT_SEED).users);
  });

  it('keeps one stream per entity kind: more orders do not change the users or products', () => {
    expect(take(generateUsers(50, DEFAULT_SEED))).toEqual(
      take(generateUsers(200, DEFAULT_SEED)).slice(0, 50),
    );
  });

  it('only references rows that exist, and orders have 1–5 lines', () => {
    const { orders, reviews, articles } = everything(DEFAULT_SEED);
    for (const order of orders) {
      expect(Number(order.customerId)).toBeGreaterThanOrEqual(1);
      expect(Number(order.customerId)).toBeLessThanOrEqual(200);
      expect(order.lines.length).toBeGreaterThanOrEqual(1);
      expect(order.lines.length).toBeLessThanOrEqual(5);
      for (const line of order.lines) expect(Number(line.productId)).toBeLessThanOrEqual(100);
    }
    for (const review of reviews) {
      expect(review.rating).toBeGreaterThanOrEqual(1);
      expect(review.rating).toBeLessThanOrEqual(5);
    }
    for (const article of articles) expect(Number(article.authorId)).toBeLessThanOrEqual(200);
  });
});
