import {
  FAILURES_PATH,
  isServerSideCode,
  METRICS_PATH,
  type FailedRequest,
} from '@manifold/platform/telemetry';
import { parsePrometheusText, type Sample } from './prometheus-text.ts';
import { quantile, rate, increase, type Scrape } from './window.ts';

/** A service the console watches: its name and base URL. */
export interface Target {
  name: string;
  url: string;
}

export type Health = 'up' | 'degraded' | 'down';

/** What the console knows of one service. */
export interface ServiceStatus {
  name: string;
  url: string;
  health: Health;
  /** Why it is not up (`unreachable`, `HTTP 503`, a breaker's state), or undefined. */
  detail: string | undefined;
  /** Since when the service has been in this health (ISO 8601). */
  since: string;
  /** When it was last asked (ISO 8601); undefined before the first answer or failure. */
  checkedAt: string | undefined;
  /** The service's circuit breakers, each with its state (closed, open, half-open). */
  breakers: { upstream: string; state: string }[];
  /** Over the window; undefined until two scrapes exist. */
  requestsPerSecond: number | undefined;
  /** Failed on our side (5xx, or a GraphQL answer carrying an error of ours) per request. */
  errorRatio: number | undefined;
  p95Seconds: number | undefined;
  failures: FailedRequest[];
}

export interface StatusSource {
  statuses: () => ServiceStatus[];
  /** Asks every service once now (the poll loop does the same every interval). */
  refresh: () => Promise<void>;
  stop: () => void;
}

export interface ScrapeSourceOptions {
  targets: readonly Target[];
  /** How often each service is asked. @default 2000 (2 s) */
  intervalMs?: number;
  /** Rates, ratios and p95 cover this much of the recent past. @default 300000 (5 minutes) */
  windowMs?: number;
  /** Longest wait for one answer; a slower service counts as down. @default 1500 */
  timeoutMs?: number;
}

const REQUESTS = 'http_server_request_duration';
const OPERATIONS = 'manifold_graphql_operation_duration';
const BREAKERS = 'manifold_upstream_breaker_state';
const KEPT = [`${REQUESTS}_count`, `${REQUESTS}_bucket`, `${OPERATIONS}_count`, BREAKERS];

const serverError = (labels: Readonly<Record<string, string>>) =>
  Number(labels['http_response_status_code']) >= 500;
// A GraphQL answer with an error of ours is a failure even when its HTTP status is 200.
const graphqlFailure = (labels: Readonly<Record<string, string>>) =>
  labels['error_type'] !== undefined && isServerSideCode(labels['error_type']);

interface Watched {
  target: Target;
  status: ServiceStatus;
  scrapes: Scrape[];
}

const fresh = (target: Target, now: Date): ServiceStatus => ({
  ...target,
  health: 'down',
  detail: 'not asked yet',
  since: now.toISOString(),
  checkedAt: undefined,
  breakers: [],
  requestsPerSecond: undefined,
  errorRatio: undefined,
  p95Seconds: undefined,
  failures: [],
});

/**
 * The services' own endpoints as the console's source: `/healthz` (is it up, are its upstreams'
 * circuits closed), `/metrics` (request rate, errors and latency over the window, breaker states)
 * and `/metrics/failures` (latest failed requests), every `intervalMs`.
 */
export function createScrapeSource({
  targets,
  intervalMs = 2_000,
  windowMs = 300_000,
  timeoutMs = 1_500,
}: ScrapeSourceOptions): StatusSource {
  const watched: Watched[] = targets.map((target) => ({
    target,
    status: fresh(target, new Date()),
    scrapes: [],
  }));

  const get = async (url: string) => {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: response.status, text: await response.text() };
  };

  async function ask(entry: Watched): Promise<void> {
    const { url } = entry.target;
    const [health, metrics, failures] = await Promise.allSettled([
      get(`${url}/healthz`),
      get(`${url}${METRICS_PATH}`),
      get(`${url}${FAILURES_PATH}`),
    ]);
    const now = new Date();
    let next: Pick<ServiceStatus, 'health' | 'detail'>;
    if (health.status === 'rejected')
      next = {
        health: 'down',
        detail:
          (health.reason as Error).name === 'TimeoutError' ? 'no answer in time' : 'unreachable',
      };
    else if (health.value.status !== 200)
      next = { health: 'down', detail: `HTTP ${health.value.status}` };
    else {
      const body = JSON.parse(health.value.text) as { status?: unknown };
      next =
        body.status === 'degraded'
          ? { health: 'degraded', detail: 'degraded' }
          : { health: 'up', detail: undefined };
    }
    if (metrics.status === 'fulfilled' && metrics.value.status === 200) {
      const samples: Sample[] = parsePrometheusText(metrics.value.text).filter((sample) =>
        KEPT.includes(sample.name),
      );
      entry.scrapes.push({ atMs: now.getTime(), samples });
      while ((entry.scrapes[0]?.atMs ?? Infinity) < now.getTime() - windowMs) entry.scrapes.shift();
    }
    const previous = entry.status;
    const first = entry.scrapes[0];
    const last = entry.scrapes.at(-1);
    const windowed = first && last && first !== last ? { first, last } : undefined;
    const requests = windowed && increase(windowed.first, windowed.last, `${REQUESTS}_count`);
    const breakers = (last?.samples ?? [])
      .filter((sample) => sample.name === BREAKERS && sample.value === 1)
      .map((sample) => ({
        upstream: sample.labels['upstream'] ?? '?',
        state: sample.labels['state'] ?? '?',
      }));
    const open = breakers.filter((breaker) => breaker.state !== 'closed');
    if (next.health === 'up' && open.length > 0)
      next = {
        health: 'degraded',
        detail: open.map((breaker) => `${breaker.upstream} ${breaker.state}`).join(', '),
      };
    entry.status = {
      ...entry.target,
      ...next,
      since:
        previous.health === next.health && previous.checkedAt !== undefined
          ? previous.since
          : now.toISOString(),
      checkedAt: now.toISOString(),
      // A service that does not answer has no current breakers, rates or failures to show.
      breakers: next.health === 'down' ? [] : breakers,
      requestsPerSecond:
        windowed && next.health !== 'down'
          ? rate(windowed.first, windowed.last, `${REQUESTS}_count`)
          : undefined,
      errorRatio:
        windowed && requests !== undefined && requests > 0 && next.health !== 'down'
          ? Math.min(
              1,
              (increase(windowed.first, windowed.last, `${REQUESTS}_count`, serverError) +
                increase(windowed.first, windowed.last, `${OPERATIONS}_count`, graphqlFailure)) /
                requests,
            )
          : undefined,
      p95Seconds:
        windowed && next.health !== 'down'
          ? quantile(0.95, windowed.first, windowed.last, REQUESTS)
          : undefined,
      failures:
        failures.status === 'fulfilled' && failures.value.status === 200
          ? ((JSON.parse(failures.value.text) as { failures?: FailedRequest[] }).failures ?? [])
          : next.health === 'down'
            ? []
            : previous.failures,
    };
  }

  const refresh = async () => {
    await Promise.all(watched.map((entry) => ask(entry).catch(() => undefined)));
  };
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const loop = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      void refresh().finally(loop);
    }, intervalMs);
    timer.unref();
  };
  void refresh().finally(loop);
  return {
    statuses: () => watched.map((entry) => entry.status),
    refresh,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
