import type { EdgeMiddleware } from '../http/edge.ts';
import { createHttpObserver } from './http-observer.ts';
import { serveTelemetry } from './metrics-endpoint.ts';

/**
 * Telemetry for a REST service, as its first edge check (ahead of routing and of any cached
 * answer, so every request is counted): answers /metrics and /metrics/failures, and observes
 * every other request (see createHttpObserver).
 */
export function telemetryEdge(): EdgeMiddleware {
  const observe = createHttpObserver();
  return (req, res) => {
    if (!serveTelemetry(req, res)) observe(req, res);
  };
}
