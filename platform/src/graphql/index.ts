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
export {
  composePlugins,
  type ComposedPlugins,
  type ServerOptions,
  type ServerPlugin,
} from './server-plugin.ts';
export { useProductionGuards, type ProductionGuardsOptions } from './plugins/production-guards.ts';
export { negotiatedResponseType, useGraphQLOverHttp } from './plugins/graphql-over-http.ts';
export { useTelemetry } from './plugins/telemetry.ts';
