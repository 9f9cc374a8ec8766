import type { EdgeMiddleware } from '../http/edge.ts';
import { createHttpObserver } from './http-observer.ts';
import { serveTelemetry } from './metrics-endpoint.ts';
import { isOperationalPath } from './operational-paths.ts';

/**
 * Telemetry for a REST service, as its first edge check (ahead of routing and of any cached
 * answer, so every request is counted): answers /metrics and /metrics/failures, and observes
 * every other request (see createHttpObserver) except health checks, which GraphQL services do
 * not count either: a service's request rate is its clients'.
 */
export function telemetryEdge(): EdgeMiddleware {
  const observe = createHttpObserver();
  return (req, res) => {
    const served = serveTelemetry(req, res);
    if (served) return served;
    if (!isOperationalPath(req.url)) observe(req, res);
    return undefined;
  };
}
