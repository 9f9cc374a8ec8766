import type { ReviewRow } from '../data/rows.ts';

export const Review = {
  id: (review: ReviewRow) => String(review.id),
  createdAt: (review: ReviewRow) => review.created_at,
  author: (review: ReviewRow) => ({ __typename: 'User', id: String(review.author_id) }),
  product: (review: ReviewRow) => ({ __typename: 'Product', id: String(review.product_id) }),
};
