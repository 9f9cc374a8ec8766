// Issue 12: a non-idempotent upstream call that fails ambiguously is not retried blindly but kept
// as a webhooks dead letter, replayable once. Real parts: the PHP supplier, soap-proxy over HTTP,
// a real Redis, the webhooks API and its delivery worker.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDeadLetterRecorder, type DeadLetterRecorder } from '@manifold/platform/dead-letters';
import { startRedisServer, type RedisServer } from '@manifold/platform/testing';
import {
  post,
  startProxy,
  startSupplier,
  type Proxy,
  type Supplier,
} from '../soap-proxy/test/support.ts';
import { startWebhooks, type TestWebhooks } from '../webhooks/test/support.ts';

let redis: RedisServer;
let webhooks: TestWebhooks;
let recorder: DeadLetterRecorder;
let supplier: Supplier;
let proxy: Proxy;

beforeAll(async () => {
  redis = await startRedisServer({ appendOnlyDir: mkdtempSync(join(tmpdir(), 'nonidem-aof-')) });
  webhooks = await startWebhooks({
    redisUrl: redis.url,
    file: { sources: {}, destinations: {}, routes: [] },
    secrets: {},
  });
  webhooks.startWorkers();
  recorder = createDeadLetterRecorder({ redisUrl: redis.url, prefix: webhooks.engine.prefix });
  supplier = await startSupplier();
  proxy = await startProxy({ endpoint: `${supplier.url}/`, timeoutMs: 400 }, undefined, {
    deadLetters: recorder,
  });
});
afterAll(async () => {
  await proxy.close();
  await supplier.stop();
  await recorder.close();
  await webhooks.close();
  await redis.stop();
});

const api = (path: string, init?: RequestInit) => fetch(`${webhooks.url}/api/v1${path}`, init);
const replay = (id: string) => api(`/dead-letters/${id}/replay`, { method: 'POST' });

describe('a non-idempotent SOAP call that failed ambiguously', () => {
  it('is a dead letter with its attempt, replayed once, a second replay refused', async () => {
    // Sent, then slower than the proxy waits: the supplier may (and here does) act.
    await supplier.plan({
      operation: 'PlaceSupplierOrder',
      mode: 'latency',
      latencyMs: 1_500,
      times: 1,
    });
    const failed = await post(proxy, 'PlaceSupplierOrder', {
      reference: 'PO-DEAD-1',
      line: [{ sku: 'SKU-00010', quantity: 1 }],
    });
    expect(failed.status).toBe(504);
    expect(failed.body['code']).toBe('UPSTREAM_TIMEOUT');
    const id = failed.body['deadLetterId'] as string;
    expect(id).toMatch(/^soap-proxy-/);

    // Listed by the webhooks service once its worker has dead-lettered it (nothing sent).
    await vi.waitFor(
      async () => {
        const page = (await (await api('/dead-letters?source=soap-proxy')).json()) as {
          items: { id: string; destination: string; eventType: string }[];
        };
        expect(page.items).toContainEqual(
          expect.objectContaining({ id, destination: 'supplier', eventType: 'PlaceSupplierOrder' }),
        );
      },
      { timeout: 10_000, interval: 100 },
    );
    const detail = (await (await api(`/dead-letters/${id}`)).json()) as {
      payload: string;
      history: { attempt: number; error?: string }[];
    };
    expect(detail.payload).toContain('PO-DEAD-1');
    expect(detail.history).toEqual([
      expect.objectContaining({ attempt: 1, error: 'timed out (request sent)' }),
    ]);
    // The slow call did reach the supplier; wait for it to finish before counting.
    await vi.waitFor(
      async () => {
        expect(await supplier.calls('PlaceSupplierOrder')).toBe(1);
      },
      {
        timeout: 10_000,
        interval: 100,
      },
    );

    expect((await replay(id)).status).toBe(202);
    await vi.waitFor(
      async () => {
        expect(await webhooks.engine.deliveries.getJobState(id)).toBe('completed');
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(await supplier.calls('PlaceSupplierOrder')).toBe(2);

    const again = await replay(id);
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
    expect(((await again.json()) as { code: string }).code).toBe('ALREADY_REPLAYED');
    expect(await supplier.calls('PlaceSupplierOrder')).toBe(2);
  });

  it.each([
    ['an HTTP 503', 'http503', 503],
    ['a SOAP Server fault (HTTP 500)', 'fault', 500],
  ] as const)(
    'is a dead letter when the supplier answered %s (it may have acted), replayed once',
    async (_, mode, status) => {
      const callsBefore = await supplier.calls('PlaceSupplierOrder');
      await supplier.plan({ operation: 'PlaceSupplierOrder', mode, times: 1 });
      const failed = await post(proxy, 'PlaceSupplierOrder', {
        reference: `PO-5XX-${mode}`,
        line: [{ sku: 'SKU-00010', quantity: 1 }],
      });
      expect(failed.status).toBeGreaterThanOrEqual(500);
      const id = failed.body['deadLetterId'] as string;
      expect(id).toMatch(/^soap-proxy-/);
      // Not retried blindly: the supplier saw the order once.
      expect(await supplier.calls('PlaceSupplierOrder')).toBe(callsBefore + 1);
      await vi.waitFor(
        async () => {
          expect(await webhooks.engine.deliveries.getJobState(id)).toBe('failed');
        },
        { timeout: 10_000, interval: 100 },
      );
      const detail = (await (await api(`/dead-letters/${id}`)).json()) as {
        payload: string;
        history: { attempt: number; status?: number; error?: string }[];
      };
      expect(detail.payload).toContain(`PO-5XX-${mode}`);
      expect(detail.history).toEqual([
        expect.objectContaining({ attempt: 1, status, error: `HTTP ${String(status)}` }),
      ]);
      expect((await replay(id)).status).toBe(202);
      await vi.waitFor(
        async () => {
          expect(await webhooks.engine.deliveries.getJobState(id)).toBe('completed');
        },
        { timeout: 10_000, interval: 100 },
      );
      expect(await supplier.calls('PlaceSupplierOrder')).toBe(callsBefore + 2);
      expect((await replay(id)).status).toBe(409);
    },
  );

  it('is not recorded when nothing reached the supplier or it answered with a client fault', async () => {
    const before = await webhooks.deadLetters.count();
    // A SOAP Client fault (HTTP 500 on the wire): the supplier refused the order, nothing happened.
    const refused = await post(proxy, 'PlaceSupplierOrder', {
      reference: 'PO-REFUSED',
      line: [{ sku: 'SKU-99999', quantity: 1 }],
    });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.body['deadLetterId']).toBeUndefined();
    // Connection refused: nothing was sent.
    const closed = await startProxy(
      { endpoint: 'http://127.0.0.1:9/', timeoutMs: 400 },
      undefined,
      {
        deadLetters: recorder,
      },
    );
    const unsent = await post(closed, 'PlaceSupplierOrder', {
      reference: 'PO-UNSENT',
      line: [{ sku: 'SKU-00010', quantity: 1 }],
    });
    await closed.close();
    expect(unsent.status).toBe(503);
    expect(unsent.body['deadLetterId']).toBeUndefined();
    expect(await webhooks.deadLetters.count()).toBe(before);
  });
});
