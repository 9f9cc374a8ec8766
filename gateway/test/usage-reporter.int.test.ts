// The usage reporter against a registry stand-in over HTTP that answers what the test says:
// what it keeps when the registry fails, and what it drops when the registry refuses.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '@manifold/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUsageBuffer } from '../src/usage/usage-buffer.ts';
import { createUsageReporter } from '../src/usage/usage-reporter.ts';
import type { OperationUsage } from '../src/usage/operation-usage.ts';

const usage: OperationUsage = {
  name: 'Deals',
  signature: 'query Deals{deals{id}}',
  hash: 'a'.repeat(64),
  coordinates: ['Deal.id', 'Query.deals'],
};
const web = { name: 'web', version: '1.0' };

describe('usage reporter', () => {
  let server: Server;
  let url: string;
  /** Status the stand-in answers next (then 202). */
  const statuses: number[] = [];
  const received: { entries: { count: number }[] }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const status = statuses.shift() ?? 202;
        if (status === 202) received.push(JSON.parse(body) as { entries: { count: number }[] });
        res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => {
    server.close();
  });

  const start = () => {
    const outcome = { reported: 0, rejected: 0 };
    const buffer = createUsageBuffer({ maxEntries: 10, onDropped: () => undefined });
    const reporter = createUsageReporter({
      registryUrl: url,
      buffer,
      // Flushed by hand below: the timer must not race the test.
      intervalMs: 3_600_000,
      logger: silentLogger('usage'),
      onReported: (entries) => (outcome.reported += entries),
      onRejected: (executions) => (outcome.rejected += executions),
    });
    return { buffer, reporter, outcome };
  };

  it('keeps a report the registry failed (5xx) and sends it, counts added up, with the next', async () => {
    received.length = 0;
    const { buffer, reporter, outcome } = start();
    buffer.record(usage, web);
    buffer.record(usage, web);
    statuses.push(503);
    await reporter.flush();
    expect(received).toEqual([]);
    expect(buffer.size).toBe(1);

    buffer.record(usage, web);
    await reporter.flush();
    expect(received.map((report) => report.entries.map((entry) => entry.count))).toEqual([[3]]);
    expect(outcome).toEqual({ reported: 1, rejected: 0 });
    await reporter.close();
  });

  it('drops and counts a report the registry refused (4xx): it would refuse it again', async () => {
    received.length = 0;
    const { buffer, reporter, outcome } = start();
    buffer.record(usage, web);
    buffer.record(usage, { name: 'ios', version: '7' });
    buffer.record(usage, { name: 'ios', version: '7' });
    statuses.push(403);
    await reporter.flush();
    expect(buffer.size).toBe(0);
    expect(outcome).toEqual({ reported: 0, rejected: 3 });
    await reporter.close();
    expect(received).toEqual([]);
  });

  it('sends what is left when it closes', async () => {
    received.length = 0;
    const { buffer, reporter } = start();
    buffer.record(usage, web);
    await reporter.close();
    expect(received).toHaveLength(1);
  });
});
