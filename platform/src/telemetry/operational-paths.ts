/** Where telemetry is served beside every service: Prometheus text, and the latest failures as JSON. */
export const METRICS_PATH = '/metrics';
export const FAILURES_PATH = '/metrics/failures';

const OPERATIONAL = new Set(['/healthz', '/readyz', METRICS_PATH, FAILURES_PATH]);

/** Health checks and scrapes: answered many times a minute, never a trace of their own. */
export function isOperationalPath(url: string | undefined): boolean {
  if (url === undefined) return false;
  const query = url.indexOf('?');
  return OPERATIONAL.has(query === -1 ? url : url.slice(0, query));
}
