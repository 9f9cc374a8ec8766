import { describe, expect, it } from 'vitest';
import { parsePrometheusText } from './prometheus-text.ts';
import { increase, quantile, rate, type Scrape } from './window.ts';

const scrape = (atMs: number, text: string): Scrape => ({
  atMs,
  samples: parsePrometheusText(text),
});
// What the services' OTel Prometheus exporter writes (metadata lines, labels, +Inf).
const exposition = (
  ok: number,
  failed: number,
  buckets: [string, number][],
) => `# HELP http_server_request_duration Duration
# UNIT http_server_request_duration s
# TYPE http_server_request_duration histogram
http_server_request_duration_count{http_request_method="GET",http_response_status_code="200",http_route="/a",service_name="x"} ${ok}
http_server_request_duration_count{http_request_method="GET",http_response_status_code="503",http_route="/a",error_type="UPSTREAM_UNAVAILABLE",service_name="x"} ${failed}
${buckets.map(([le, count]) => `http_server_request_duration_bucket{http_route="/a",le="${le}"} ${count}`).join('\n')}
`;

describe('reading a window of scrapes', () => {
  const first = scrape(
    0,
    exposition(100, 0, [
      ['0.1', 50],
      ['1', 100],
      ['+Inf', 100],
    ]),
  );
  const last = scrape(
    10_000,
    exposition(190, 10, [
      ['0.1', 50],
      ['1', 190],
      ['+Inf', 200],
    ]),
  );

  it('parses label values with escapes and skips what is not a sample', () => {
    expect(
      parsePrometheusText('# TYPE a counter\na_total{path="/x\\"y",le="+Inf"} 3\nnot a sample\n'),
    ).toEqual([{ name: 'a_total', labels: { path: '/x"y', le: '+Inf' }, value: 3 }]);
  });

  it('turns counters into increases and rates, by label', () => {
    const failed = (labels: Readonly<Record<string, string>>) =>
      labels['http_response_status_code'] === '503';
    expect(increase(first, last, 'http_server_request_duration_count')).toBe(100);
    expect(rate(first, last, 'http_server_request_duration_count')).toBe(10);
    expect(increase(first, last, 'http_server_request_duration_count', failed)).toBe(10);
  });

  it('counts everything after a restart (a counter that went down) as growth', () => {
    const restarted = scrape(20_000, exposition(5, 0, [['+Inf', 5]]));
    expect(increase(last, restarted, 'http_server_request_duration_count')).toBe(5);
  });

  it('interpolates quantiles within buckets, as histogram_quantile does', () => {
    // 100 new observations: none ≤ 0.1 s, 90 ≤ 1 s, 10 above: p50 in (0.1, 1], p95 beyond 1 s.
    expect(quantile(0.5, first, last, 'http_server_request_duration')).toBeCloseTo(
      0.1 + 0.9 * (50 / 90),
    );
    expect(quantile(0.95, first, last, 'http_server_request_duration')).toBe(1);
    expect(quantile(0.95, first, first, 'http_server_request_duration')).toBeUndefined();
  });
});
