export { createGraphQLHttpApp, type GraphQLHttpAppOptions, type RequestInfo } from './http-app.ts';
export {
  createSubgraphApp,
  type SubgraphApp,
  type SubgraphAppOptions,
  type SubgraphDefinition,
} from './subgraph-service.ts';
export { DateTimeScalar } from './scalars.ts';
export { defineSubgraph, type DefinedSubgraph } from './define-subgraph.ts';
export { serveSubgraph, type ServeSubgraphOptions } from './serve-subgraph.ts';
export { exposureOptions } from './exposure-options.ts';
