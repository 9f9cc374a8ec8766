export {
  TelemetryEnv,
  readTelemetryConfig,
  serviceNameFromEntry,
  type TelemetryConfig,
} from './config.ts';
export {
  createHttpObserver,
  type HttpObserver,
  type HttpObserverOptions,
} from './http-observer.ts';
export { telemetryEdge } from './edge.ts';
export { setRouteTemplate } from './route-template.ts';
export { ownServerSpans } from './own-server-spans.ts';
export { serveTelemetry } from './metrics-endpoint.ts';
export { FAILURES_PATH, METRICS_PATH, isOperationalPath } from './operational-paths.ts';
export {
  createGraphQLOperationMetrics,
  createSubgraphFetchMetrics,
  type GraphQLOperation,
} from './graphql-metrics.ts';
export {
  createResilienceMetrics,
  createUpstreamCallMetrics,
  type ResilienceMetrics,
  type UpstreamCallMetrics,
} from './upstream-metrics.ts';
export { activeTraceId, inSpan, setActiveSpanAttributes } from './spans.ts';
export { isServerSideCode, DURATION_BUCKETS_SECONDS, durationHistogram } from './instruments.ts';
export { manifoldMeter } from './meter.ts';
export {
  createRecentFailures,
  markFailureRecorded,
  type FailedRequest,
  type RecentFailures,
} from './recent-failures.ts';
export { shutdownTelemetry, telemetryRuntime, type TelemetryRuntime } from './runtime.ts';
