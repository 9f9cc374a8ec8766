export {
  createUpstreamPolicy,
  worstCaseCallMs,
  type UpstreamPolicy,
  type UpstreamPolicyOptions,
  type UpstreamPolicyStats,
  type BreakerState,
  type CallOptions,
} from './upstream-policy.ts';
export { isTransient } from './transient.ts';
// Re-exported while callers move to @manifold/platform/errors, where they live now.
export { UpstreamError, isUpstreamError, networkErrorCode } from '../errors/index.ts';
