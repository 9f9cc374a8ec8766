export {
  requireRedis,
  startRedisCluster,
  startRedisServer,
  TEST_REDIS_URL,
  type RedisCluster,
  type RedisServer,
} from './redis.ts';
export { silentLogger } from './logger.ts';
export {
  serveGraphQL,
  type TestGraphQLServer,
  type GraphQLTestResponse,
} from './graphql-client.ts';
export { requirePhp, startPhpServer, type PhpServer } from './php.ts';
export {
  freePort,
  freePorts,
  freePortWithCompanion,
  runAsIs,
  type CommandWrapper,
} from './processes.ts';
export { testCaller, testGatewayIdentity, type TestGatewayIdentity } from './gateway-identity.ts';
export { installTestTelemetry, attributesOf, type TestTelemetry } from './telemetry.ts';
