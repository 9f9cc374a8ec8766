import { DateTimeScalar } from '@manifold/platform/graphql';
import { Category, Product } from './Product.ts';
import { Query } from './Query.ts';

export const resolvers = { DateTime: DateTimeScalar, Query, Product, Category };
