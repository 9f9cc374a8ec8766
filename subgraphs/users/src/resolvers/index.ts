import { DateTimeScalar } from '@manifold/platform/graphql';
import { Query } from './Query.ts';
import { User } from './User.ts';

export const resolvers = { DateTime: DateTimeScalar, Query, User };
