import type { ContentContext } from '../context.ts';
import { listLimit } from './limits.ts';

/** A product as the gateway references it: this subgraph stores only product ids. */
interface ProductReference {
  id: string;
}

/** Product fields this subgraph contributes. */
export const Product = {
  // No lookup: every id is a valid parent here, a product without content just has empty lists.
  __resolveReference: (reference: ProductReference) => reference,
  reviews: (
    { id }: ProductReference,
    { first }: { first?: number | null },
    { loaders }: ContentContext,
  ) => loaders.reviewsByProduct.load({ id, limit: listLimit(first, 5) }),
  averageRating: ({ id }: ProductReference, _: unknown, { loaders }: ContentContext) =>
    loaders.averageRatingByProduct.load(id),
  articles: ({ id }: ProductReference, _: unknown, { loaders }: ContentContext) =>
    loaders.articlesByProduct.load(id),
};
