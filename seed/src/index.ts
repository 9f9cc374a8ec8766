/**
 * The deterministic reference dataset behind the four subgraphs. Every subgraph generates its
 * own part from the same seed, so orders point at real users and products without the
 * subgraphs sharing a database.
 */
export { createRng, DEFAULT_SEED, type Rng } from './rng.ts';
export { generateUsers, CUSTOMER_TIERS, type CustomerTier, type SeedUser } from './users.ts';
export {
  generateCategories,
  generateProducts,
  skuOf,
  type SeedCategory,
  type SeedProduct,
} from './products.ts';
export {
  generateOrders,
  ORDER_STATUSES,
  type OrderStatus,
  type SeedOrder,
  type SeedOrderLine,
} from './orders.ts';
export { generateArticles, generateReviews, type SeedArticle, type SeedReview } from './content.ts';
export { SEED_SIZES, type SeedSizes } from './sizes.ts';
