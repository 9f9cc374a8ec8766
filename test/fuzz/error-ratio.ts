/**
 * What a process's own metrics say about the answers it gave: the numbers the ErrorRatioHigh
 * alerts (deploy/prometheus/alerts.yml) divide. A flood of bad requests must show as client
 * errors, never as ours, or it pages on-call for someone else's mistake.
 */
export interface ErrorCounts {
  /** Answers counted by `http.server.request.duration`. */
  requests: number;
  /** Of those, 4xx: the caller's mistakes. */
  clientErrors: number;
  /** Of those, 5xx: what the HTTP alert counts as ours. */
  serverErrors: number;
  /** GraphQL operations carrying an error of ours, as the GraphQL alert selects them. */
  graphqlErrorsOfOurs: number;
}

// The GraphQL alert's selector: error codes that are ours (everything else is the caller's).
const OURS = /^(INTERNAL_SERVER_ERROR|UPSTREAM_.+|STORE_UNAVAILABLE|NOT_READY|_OTHER)$/;

const label = (labels: string, name: string) => new RegExp(`${name}="([^"]*)"`).exec(labels)?.[1];

/** Reads the counts from Prometheus text (`GET /metrics`). */
export function errorCounts(metrics: string): ErrorCounts {
  const counts: ErrorCounts = {
    requests: 0,
    clientErrors: 0,
    serverErrors: 0,
    graphqlErrorsOfOurs: 0,
  };
  for (const line of metrics.split('\n')) {
    // Label values are quoted and may hold braces (route templates like /customers/{id}).
    const match = /^(\w+)\{((?:[^"}]|"(?:[^"\\]|\\.)*")*)\}\s+(\S+)/.exec(line);
    if (!match) continue;
    const [, name, labels = '', value] = match;
    const count = Number(value);
    if (name === 'http_server_request_duration_count') {
      const status = Number(label(labels, 'http_response_status_code'));
      counts.requests += count;
      if (status >= 500) counts.serverErrors += count;
      else if (status >= 400) counts.clientErrors += count;
    } else if (name === 'manifold_graphql_operation_duration_count') {
      const code = label(labels, 'error_type');
      if (code !== undefined && OURS.test(code)) counts.graphqlErrorsOfOurs += count;
    }
  }
  return counts;
}

/** The counts of the process behind `metricsUrl`. */
export async function readErrorCounts(metricsUrl: string): Promise<ErrorCounts> {
  const response = await fetch(metricsUrl);
  if (!response.ok) throw new Error(`${metricsUrl}: HTTP ${String(response.status)}`);
  return errorCounts(await response.text());
}
