import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listen } from '@manifold/platform/http';
import { silentLogger } from '@manifold/platform/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../src/app.ts';
import { failuresPanel } from '../src/panels/failures-panel.ts';
import { servicesPanel } from '../src/panels/services-panel.ts';
import { createScrapeSource, type StatusSource } from '../src/sources/scrape-source.ts';

/** A service as the console sees one: /healthz, /metrics, /metrics/failures, over real HTTP. */
async function fakeService({ health, requests }: { health: string; requests: () => number }) {
  const server = createServer((req, res) => {
    if (req.url === '/healthz') res.writeHead(200).end(JSON.stringify({ status: health }));
    else if (req.url === '/metrics')
      res
        .writeHead(200)
        .end(
          [
            `http_server_request_duration_count{http_response_status_code="200"} ${requests()}`,
            `http_server_request_duration_bucket{le="0.05"} ${requests()}`,
            `http_server_request_duration_bucket{le="+Inf"} ${requests()}`,
            'manifold_upstream_breaker_state{upstream="supplier",state="closed"} 0',
            'manifold_upstream_breaker_state{upstream="supplier",state="open"} 1',
          ].join('\n'),
        );
    else if (req.url === '/metrics/failures')
      res.writeHead(200).end(
        JSON.stringify({
          failures: [
            {
              at: '2026-12-03T10:00:00.000Z',
              name: 'query <Storefront>',
              status: 200,
              code: 'UPSTREAM_UNAVAILABLE',
              traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
              requestId: 'req-1',
            },
          ],
        }),
      );
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('the ops console', () => {
  const servers: Server[] = [];
  let source: StatusSource | undefined;
  afterEach(() => {
    source?.stop();
    for (const server of servers.splice(0)) server.close();
  });

  it('shows each service’s health, rates, p95, open breakers and failures, and one that is gone as down', async () => {
    let count = 0;
    const proxy = await fakeService({ health: 'ok', requests: () => (count += 50) });
    servers.push(proxy.server);
    source = createScrapeSource({
      targets: [
        { name: 'soap-proxy', url: proxy.url },
        { name: 'gone', url: 'http://127.0.0.1:9' },
      ],
      intervalMs: 60_000, // refreshed by hand below
    });
    const app = createApp({
      panels: [
        servicesPanel(source, { windowMinutes: 5 }),
        failuresPanel(source, { traceUrl: 'http://jaeger/trace/{traceId}' }),
      ],
      logger: silentLogger(),
      production: true,
      refreshMs: 1_000,
    });
    const { server, url } = await listen(app, { port: 0, host: '127.0.0.1' });
    servers.push(server);
    await vi.waitFor(async () => {
      await source?.refresh();
      expect(source?.statuses()[0]?.requestsPerSecond).toBeGreaterThan(0);
    });

    const services = await (await fetch(`${url}/panels/services`)).text();
    // A service whose circuit is open is degraded, saying which; one that does not answer is down.
    expect(services).toMatch(/data-service="soap-proxy" data-health="degraded"/);
    expect(services).toContain('supplier open');
    expect(services).toMatch(/data-service="gone" data-health="down"/);
    expect(services).toContain('unreachable');
    expect(services).toContain('48 ms'); // p95 of observations all under 50 ms, interpolated
    const failures = await (await fetch(`${url}/panels/failures`)).text();
    expect(failures).toContain('href="http://jaeger/trace/4bf92f3577b34da6a3ce929d0e0e4736"');
    // Text from services is escaped, never markup.
    expect(failures).toContain('query &lt;Storefront&gt;');

    const page = await fetch(url);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('data-panel="failures"');
    const missing = await fetch(`${url}/panels/nope`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { code: string }).code).toBe('NOT_FOUND');
  });
});
