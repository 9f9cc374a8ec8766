/** Dataset sizes (DESIGN.md). Tests may pass smaller ones; ids always run 1..count. */
export interface SeedSizes {
  users: number;
  categories: number;
  products: number;
  orders: number;
  articles: number;
  reviews: number;
}

export const SEED_SIZES: Readonly<SeedSizes> = {
  users: 10_000,
  categories: 40,
  products: 5_000,
  orders: 100_000,
  articles: 2_000,
  reviews: 50_000,
};
