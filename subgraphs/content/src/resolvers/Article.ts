import type { ArticleRow } from '../data/rows.ts';
import type { ContentContext } from '../context.ts';

export const Article = {
  __resolveReference: (reference: { id: string }, { loaders }: ContentContext) =>
    loaders.articleById.load(reference.id),
  id: (article: ArticleRow) => String(article.id),
  publishedAt: (article: ArticleRow) => article.published_at,
  author: (article: ArticleRow) => ({ __typename: 'User', id: String(article.author_id) }),
  featuredProducts: async (article: ArticleRow, _: unknown, { loaders }: ContentContext) =>
    (await loaders.featuredProductIdsByArticle.load(article.id)).map((id) => ({
      __typename: 'Product',
      id: String(id),
    })),
};
