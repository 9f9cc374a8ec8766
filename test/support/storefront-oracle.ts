import { moneyFromCents } from '@manifold/platform/data';
import {
  DEFAULT_SEED,
  generateArticles,
  generateOrders,
  generateProducts,
  generateReviews,
  generateUsers,
  SEED_SIZES,
  type SeedProduct,
  type SeedReview,
} from '@manifold/seed';
import type { StorefrontData } from './storefront.ts';

/**
 * What the Storefront query must answer, computed straight from the deterministic seed — not through
 * any resolver — so the e2e test checks the whole stack against the data itself.
 */
export function expectedStorefront(userId: string, seed = DEFAULT_SEED): StorefrontData {
  const users = new Map([...generateUsers(SEED_SIZES.users, seed)].map((user) => [user.id, user]));
  const products = new Map(
    [...generateProducts(SEED_SIZES.products, SEED_SIZES.categories, seed)].map((product) => [
      product.id,
      product,
    ]),
  );
  const priceOf = (id: number) => products.get(String(id))?.priceCents ?? 0;
  const orders = [
    ...generateOrders(SEED_SIZES.orders, SEED_SIZES.users, SEED_SIZES.products, priceOf, seed),
  ]
    .filter((order) => order.customerId === userId)
    .sort((a, b) =>
      a.placedAt === b.placedAt
        ? Number(b.id) - Number(a.id)
        : b.placedAt.localeCompare(a.placedAt),
    );
  const reviews = [
    ...generateReviews(SEED_SIZES.reviews, SEED_SIZES.users, SEED_SIZES.products, seed),
  ];
  const articles = [
    ...generateArticles(SEED_SIZES.articles, SEED_SIZES.users, SEED_SIZES.products, seed),
  ];

  const nameOf = (id: string) => users.get(id)?.name ?? null;
  const reviewsOf = (productId: string): SeedReview[] =>
    reviews
      .filter((review) => review.productId === productId)
      .sort((a, b) =>
        a.createdAt === b.createdAt
          ? Number(b.id) - Number(a.id)
          : b.createdAt.localeCompare(a.createdAt),
      );
  const averageRating = (productId: string): number | null => {
    const ratings = reviewsOf(productId).map((review) => review.rating);
    if (ratings.length === 0) return null;
    return (
      Math.round((ratings.reduce((sum, rating) => sum + rating, 0) / ratings.length) * 100) / 100
    );
  };
  const productView = (product: SeedProduct) => ({
    sku: product.sku,
    name: product.name,
    price: moneyFromCents(product.priceCents, product.currency),
    shippingEstimate: {
      amount: moneyFromCents(499 + 50 * Math.ceil(product.weightGrams / 500), 'USD').amount,
    },
    averageRating: averageRating(product.id),
    articles: articles
      .filter((article) => article.featuredProductIds.includes(product.id))
      .map((article) => ({
        title: article.title,
        author: { name: nameOf(article.authorId) ?? '' },
      })),
  });

  const user = users.get(userId);
  return {
    user: user
      ? {
          name: user.name,
          tier: user.tier,
          orders: {
            totalCount: orders.length,
            edges: orders.slice(0, 3).map((order) => ({
              node: {
                number: order.number,
                status: order.status,
                total: moneyFromCents(
                  order.lines.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0),
                  order.currency,
                ),
                lines: order.lines.map((line) => {
                  const product = products.get(line.productId);
                  return {
                    quantity: line.quantity,
                    product: product ? productView(product) : null,
                  };
                }),
              },
            })),
          },
        }
      : null,
    products: {
      edges: [...products.values()].slice(0, 5).map((product) => ({
        node: {
          name: product.name,
          reviews: reviewsOf(product.id)
            .slice(0, 2)
            .map((review) => ({
              rating: review.rating,
              author: { name: nameOf(review.authorId) ?? '' },
            })),
        },
      })),
    },
  };
}
