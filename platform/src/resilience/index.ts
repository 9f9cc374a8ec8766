export {
  createUpstreamPolicy,
  type UpstreamPolicy,
  type UpstreamPolicyOptions,
  type UpstreamPolicyStats,
  type BreakerState,
  type CallOptions,
} from './upstream-policy.ts';
export { UpstreamError, isUpstreamError, type UpstreamErrorOptions } from './UpstreamError.ts';
export { isTransient, networkErrorCode } from './transient.ts';
