import type { ContentContext } from '../context.ts';
import { listLimit } from './limits.ts';

/** A user as the gateway references it: this subgraph stores only author ids. */
interface UserReference {
  id: string;
}

/** User fields this subgraph contributes. */
export const User = {
  __resolveReference: (reference: UserReference) => reference,
  reviews: (
    { id }: UserReference,
    { first }: { first?: number | null },
    { loaders }: ContentContext,
  ) => loaders.reviewsByAuthor.load({ id, limit: listLimit(first, 10) }),
};
