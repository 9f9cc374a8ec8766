import { DateTimeScalar } from '@manifold/platform/graphql';
import { Mutation } from './Mutation.ts';
import { Order, OrderLine } from './Order.ts';
import { Product } from './Product.ts';
import { Query } from './Query.ts';
import { User } from './User.ts';

export const resolvers = {
  DateTime: DateTimeScalar,
  Query,
  Mutation,
  Order,
  OrderLine,
  User,
  Product,
};
