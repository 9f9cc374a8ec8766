import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { REPO_ROOT } from '../support/processes.ts';
import { graphql } from '../support/stack.ts';
import { artifactPath, launchChromium } from './support/chromium.ts';
import { startObservedStack, type ObservedStack } from './support/observed-stack.ts';
import {
  startOtlpReceiver,
  type OtlpReceiver,
  type ReceivedSpan,
} from './support/otlp-receiver.ts';
import { startPrometheus, type PrometheusServer } from './support/prometheus.ts';

// One stack for the whole scenario (starting it is most of the time): a trace followed through
// every hop, the logs that carry it, a real Prometheus scraping every service, the ops console in
// a real browser — and then a subgraph killed, which both the console and an alert must notice.

const STOREFRONT = `query Storefront($userId: ID!) {
  user(id: $userId) {
    name tier
    orders(first: 3) { totalCount edges { node { number status total { amount currency }
      lines { quantity product { sku name price { amount currency } shippingEstimate { amount }
        averageRating supplierStock { available warehouse } articles { title author { name } } } } } } }
  }
  products(first: 5) { edges { node { name reviews(first: 2) { rating author { name } } } } }
}`;
/** What a reader of the run should see (the trace, screenshot paths, timings). */
const report = (text: string) => process.stdout.write(`${text}\n`);
const SERVER = 2; // OTLP SpanKind
const CLIENT = 3;
const ALERT_FOR_SECONDS = 5; // UpstreamDown's `for` (1m in deploy/prometheus/alerts.yml), shortened

let receiver: OtlpReceiver;
let observed: ObservedStack;
let prometheus: PrometheusServer;
let browser: BrowserContext;
let page: Page;
let traffic: { stop: () => Promise<void> } | undefined;

/** Requests to every service, every 250 ms, until stopped: what Prometheus' rates are made of. */
function keepTrafficGoing(): { stop: () => Promise<void> } {
  const state = { running: true };
  const loop = (async () => {
    while (state.running) {
      await Promise.allSettled([
        graphql(observed.stack.gateway.url, STOREFRONT, { userId: '2' }, observed.credentials),
        fetch(`${observed.legacyAdapter.url}/api/v2/customers/1`, {
          headers: observed.credentials,
        }),
        fetch(`${observed.soapProxy.url}/api/v1/supplier/GetStockLevel?sku=SKU-00001`, {
          headers: observed.credentials,
        }),
        fetch(`${observed.console.url}/panels/services`),
      ]);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  return {
    stop: async () => {
      state.running = false;
      await loop;
    },
  };
}

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  observed = await startObservedStack({ otlpEndpoint: receiver.url, env: { LOG_LEVEL: 'debug' } });
  prometheus = await startPrometheus({
    targets: Object.fromEntries(
      Object.entries(observed.services).map(([name, service]) => [name, new URL(service.url).host]),
    ),
    forSeconds: ALERT_FOR_SECONDS,
  });
  browser = await launchChromium();
  page = await browser.newPage();
});
afterAll(async () => {
  await traffic?.stop();
  await browser.close();
  await prometheus.stop();
  await observed.stop();
  await receiver.close();
});

const spanLine = (span: ReceivedSpan, byId: Map<string, ReceivedSpan>) => {
  const parent = span.parentSpanId === undefined ? undefined : byId.get(span.parentSpanId);
  return `${span.service} | ${span.name} | parent: ${parent ? `${parent.service} | ${parent.name}` : '(root)'}`;
};

describe('a Storefront query with supplierStock, traced end to end', () => {
  let traceId: string;
  let trace: ReceivedSpan[];
  let byId: Map<string, ReceivedSpan>;
  const ancestors = (span: ReceivedSpan): ReceivedSpan[] => {
    const parent = span.parentSpanId === undefined ? undefined : byId.get(span.parentSpanId);
    return parent ? [parent, ...ancestors(parent)] : [];
  };
  const parentOf = (span: ReceivedSpan) => byId.get(span.parentSpanId ?? '');

  it('yields one trace with spans from the gateway, every subgraph, soap-proxy and the SOAP call', async () => {
    const { body } = await graphql<{ user: unknown }>(
      observed.stack.gateway.url,
      STOREFRONT,
      { userId: '1' },
      observed.credentials,
    );
    expect(body.errors).toBeUndefined();
    // The spans of every process, linked: wait until the trace is whole (batches arrive apart).
    await vi.waitFor(
      () => {
        const root = receiver.spans.find(
          (span) =>
            span.service === 'gateway' &&
            span.kind === SERVER &&
            span.attributes['graphql.operation.name'] === 'Storefront',
        );
        expect(root).toBeDefined();
        traceId = root?.traceId ?? '';
        trace = receiver.spans.filter((span) => span.traceId === traceId);
        byId = new Map(trace.map((span) => [span.spanId, span]));
        expect(new Set(trace.map((span) => span.service))).toEqual(
          new Set(['gateway', 'users', 'orders', 'products', 'content', 'soap-proxy']),
        );
        expect(
          trace.filter((span) => span.parentSpanId !== undefined && !byId.has(span.parentSpanId)),
        ).toEqual([]);
        expect(trace.some((span) => span.attributes['rpc.system'] === 'soap')).toBe(true);
      },
      { timeout: 15_000, interval: 250 },
    );
    expect(receiver.rejected).toEqual([]);
    // The span list, for whoever reads the run.
    report(`trace ${traceId}:\n${trace.map((span) => `  ${spanLine(span, byId)}`).join('\n')}`);

    const roots = trace.filter((span) => span.parentSpanId === undefined);
    expect(roots.map((span) => [span.service, span.kind, span.name])).toEqual([
      ['gateway', SERVER, 'POST /graphql'],
    ]);
    // gateway → each subgraph: the subgraph's server span hangs off a gateway client span, under
    // the gateway.fetch span of that very subgraph.
    for (const subgraph of ['users', 'orders', 'products', 'content']) {
      const servers = trace.filter((span) => span.service === subgraph && span.kind === SERVER);
      expect(servers.length, subgraph).toBeGreaterThan(0);
      for (const server of servers) {
        const client = parentOf(server);
        expect([client?.service, client?.kind], subgraph).toEqual(['gateway', CLIENT]);
        const fetchSpan = ancestors(server).find((span) => span.name === 'gateway.fetch');
        expect(fetchSpan?.attributes['graphql.subgraph.name'], subgraph).toBe(subgraph);
      }
    }
    // products → soap-proxy → (policy) → the SOAP call → the PHP supplier.
    const proxyServer = trace.find((span) => span.service === 'soap-proxy' && span.kind === SERVER);
    expect(proxyServer?.attributes['http.route']).toBe('/api/v1/supplier/GetStockLevels');
    expect([parentOf(proxyServer!)?.service, parentOf(proxyServer!)?.kind]).toEqual([
      'products',
      CLIENT,
    ]);
    const soapCall = trace.find((span) => span.attributes['rpc.system'] === 'soap')!;
    expect(soapCall.attributes).toMatchObject({
      'rpc.method': 'GetStockLevels',
      upstream: 'supplier',
      'manifold.retry.attempt': 1,
    });
    expect(ancestors(soapCall)).toContain(proxyServer);
    expect(parentOf(soapCall)?.attributes['manifold.breaker.state']).toBe('closed');
    const toSupplier = trace.find(
      (span) => span.parentSpanId === soapCall.spanId && span.kind === CLIENT,
    );
    expect(String(toSupplier?.attributes['url.full'])).toContain(observed.supplier.url);
    // Route templates and operation names, never raw ids, in span names.
    for (const span of trace)
      expect(span.name, spanLine(span, byId)).not.toMatch(/SKU-\d|\/\d+(\/|$)/);
  });

  it('is followed into the logs: every hop logs the trace id, the PHP supplier included', async () => {
    await vi.waitFor(() => {
      for (const name of ['gateway', 'users', 'orders', 'products', 'content', 'soap-proxy'])
        expect(observed.services[name]?.output(), name).toContain(`"trace_id":"${traceId}"`);
      expect(observed.supplier.output()).toMatch(
        new RegExp(`trace_id=${traceId} parent_span_id=[0-9a-f]{16} POST /`),
      );
    });
  });

  it('carries a caller’s traceparent through the legacy adapter into the PHP monolith’s log', async () => {
    const callerTrace = randomBytes(16).toString('hex');
    const response = await fetch(`${observed.legacyAdapter.url}/api/v2/customers/1`, {
      headers: {
        ...observed.credentials,
        traceparent: `00-${callerTrace}-${randomBytes(8).toString('hex')}-01`,
      },
    });
    expect(response.status).toBe(200);
    // Logs reach us through a pipe: wait for the lines rather than race them.
    await vi.waitFor(() => {
      expect(observed.legacyAdapter.output()).toContain(`"trace_id":"${callerTrace}"`);
      expect(observed.monolith.output()).toContain(`trace_id=${callerTrace}`);
    });
  });
});

describe('a real Prometheus scraping every service', () => {
  it("has each service's request rate", async () => {
    traffic = keepTrafficGoing();
    const jobs = Object.keys(observed.services);
    await vi.waitFor(
      async () => {
        const rates = await prometheus.query(
          'sum by (job) (rate(http_server_request_duration_count[15s]))',
        );
        const byJob = new Map(rates.map(({ metric, value }) => [metric['job'], Number(value[1])]));
        for (const job of jobs) expect(byJob.get(job), job).toBeGreaterThan(0);
      },
      { timeout: 30_000, interval: 1_000 },
    );
    // And what on-call reads beside it: latency percentiles, breaker states, the runtime.
    const p95 = await prometheus.query(
      'histogram_quantile(0.95, sum by (job, le) (rate(http_server_request_duration_bucket{job="gateway"}[15s])))',
    );
    expect(Number(p95[0]?.value[1])).toBeGreaterThan(0);
    const breakers = await prometheus.query('manifold_upstream_breaker_state{state="closed"} == 1');
    // The facades' upstreams, and the gateway's circuit in front of each subgraph.
    expect(breakers.map(({ metric }) => `${metric['job']}:${metric['upstream']}`).sort()).toEqual([
      'gateway:content',
      'gateway:orders',
      'gateway:products',
      'gateway:users',
      'legacy-rest-adapter:legacy',
      'soap-proxy:supplier',
    ]);
    // Every query of the committed Grafana dashboards is one Prometheus accepts, and finds data.
    for (const dashboard of ['graphql.json', 'rest-facades.json']) {
      const { panels } = JSON.parse(
        readFileSync(join(REPO_ROOT, 'deploy/grafana/dashboards', dashboard), 'utf8'),
      ) as { panels: { title: string; targets: { expr: string }[] }[] };
      for (const panel of panels)
        for (const { expr } of panel.targets)
          await expect(
            prometheus.query(expr.replaceAll('$job', '.+')),
            `${dashboard}: ${panel.title}`,
          ).resolves.toBeDefined();
    }
    // The runtime of each: memory, event-loop delay.
    await vi.waitFor(
      async () => {
        expect((await prometheus.query('process_memory_usage')).length).toBe(jobs.length);
        expect((await prometheus.query('nodejs_eventloop_delay_p99')).length).toBe(jobs.length);
      },
      { timeout: 15_000, interval: 1_000 },
    );
  });
});

describe('the ops console in Chromium, and an alert, when a subgraph dies', () => {
  const rowHealth = (service: string) =>
    page.locator(`tr[data-service="${service}"]`).getAttribute('data-health');

  it('shows every service green', async () => {
    await page.goto(observed.console.url);
    await vi.waitFor(
      async () => {
        for (const name of Object.keys(observed.services).filter(
          (service) => service !== 'console',
        ))
          expect(await rowHealth(name), name).toBe('up');
      },
      { timeout: 15_000, interval: 250 },
    );
    const path = artifactPath('observability', 'console-all-up.png');
    await page.screenshot({ path, fullPage: true });
    report(`console screenshot (all up): ${path}`);
  });

  it('shows the killed subgraph red within 10 s, its failures with trace ids, and fires UpstreamDown', async () => {
    const killedAt = performance.now();
    await observed.stack.subgraphs.content.stop('SIGKILL');

    await vi.waitFor(
      async () => {
        expect(await rowHealth('content')).toBe('down');
      },
      { timeout: 10_000, interval: 100 },
    );
    const redAfterMs = performance.now() - killedAt;
    expect(await rowHealth('users')).toBe('up');

    // A query that needs content now fails in part: listed with the trace it left.
    const partial = await graphql(
      observed.stack.gateway.url,
      STOREFRONT,
      { userId: '3' },
      observed.credentials,
    );
    expect(partial.body.errors?.[0]?.extensions?.['code']).toBe('UPSTREAM_UNAVAILABLE');
    await vi.waitFor(
      async () => {
        const rows = await page.locator('section[data-panel="failures"] tr[data-trace-id]').all();
        const traceIds = await Promise.all(rows.map((row) => row.getAttribute('data-trace-id')));
        expect(traceIds.some((id) => receiver.spans.some((span) => span.traceId === id))).toBe(
          true,
        );
      },
      { timeout: 10_000, interval: 250 },
    );
    const path = artifactPath('observability', 'console-content-down.png');
    await page.screenshot({ path, fullPage: true });
    report(`console screenshot (content down): ${path}`);

    await vi.waitFor(
      async () => {
        const firing = (await prometheus.alerts()).filter(
          (alert) => alert.state === 'firing' && alert.labels['alertname'] === 'UpstreamDown',
        );
        expect(firing.map((alert) => alert.labels['job'])).toContain('content');
      },
      // `for` plus a scrape and an evaluation (1 s each) and their jitter.
      { timeout: (ALERT_FOR_SECONDS + 10) * 1000, interval: 250 },
    );
    const firedAfterMs = performance.now() - killedAt;
    report(
      `content killed: console red after ${(redAfterMs / 1000).toFixed(1)} s, UpstreamDown firing after ${(firedAfterMs / 1000).toFixed(1)} s (for: ${ALERT_FOR_SECONDS} s, scrape and evaluation every 1 s)`,
    );
  });
});
