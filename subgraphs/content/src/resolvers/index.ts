import { DateTimeScalar } from '@manifold/platform/graphql';
import { Article } from './Article.ts';
import { Product } from './Product.ts';
import { Query } from './Query.ts';
import { Review } from './Review.ts';
import { User } from './User.ts';

export const resolvers = { DateTime: DateTimeScalar, Query, Article, Review, Product, User };
