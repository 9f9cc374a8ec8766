import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSchemaValidator } from '@manifold/platform/openapi';
import { post, startProxy, startSupplier, type Proxy, type Supplier } from './support.ts';

let supplier: Supplier;
let proxy: Proxy;

beforeAll(async () => {
  supplier = await startSupplier();
  proxy = await startProxy({
    endpoint: `${supplier.url}/`,
    timeoutMs: 400,
    resilience: {
      maxAttempts: 5,
      initialDelayMs: 5,
      breakerThreshold: 50,
      halfOpenAfterMs: 10_000,
    },
    operations: {
      GetStockLevel: { safe: true, cacheTtlSeconds: 0 },
      GetStockLevels: { safe: true, cacheTtlSeconds: 0 },
      GetPrice: { safe: true, cacheTtlSeconds: 0 },
    },
  });
});
afterAll(async () => {
  await proxy.close();
  await supplier.stop();
});
beforeEach(async () => {
  await supplier.reset();
});

/** The response must match the schema the proxy publishes for it (contract). */
function expectMatchesSchema(operation: string, body: unknown): void {
  const bound = proxy.service.operations.find((candidate) => candidate.name === operation)!;
  const validate = createSchemaValidator(proxy.service.api.document).compile(bound.output);
  expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
}

describe('soap-proxy in front of the PHP supplier', () => {
  it('answers typed JSON that matches the published schema', async () => {
    const { status, body } = await post(proxy, 'GetStockLevel', { sku: 'SKU-00042' });
    expect(status).toBe(200);
    expect(body).toEqual({
      level: {
        sku: 'SKU-00042',
        available: expect.any(Number),
        warehouse: expect.any(String),
        updatedAt: expect.stringMatching(/Z$/),
      },
    });
    expectMatchesSchema('GetStockLevel', body);
  });

  it('keeps repeated elements arrays for 1 or n items, and decimals exact', async () => {
    const one = await post(proxy, 'GetStockLevels', { sku: ['SKU-00001'] });
    expect(one.body).toEqual({
      level: [expect.objectContaining({ sku: 'SKU-00001' })],
      unknownSku: [],
    });
    const many = await post(proxy, 'GetStockLevels', {
      sku: ['SKU-00001', 'SKU-00002', 'SKU-99999'],
    });
    expect((many.body['level'] as unknown[]).length).toBe(2);
    expect(many.body['unknownSku']).toEqual(['SKU-99999']);
    expectMatchesSchema('GetStockLevels', many.body);
    const price = await post(proxy, 'GetPrice', { sku: 'SKU-00003', quantity: 12 });
    expect(price.body).toMatchObject({
      unitPrice: expect.stringMatching(/^\d+\.\d{2}$/),
      total: expect.stringMatching(/^\d+\.\d{2}$/),
    });
  });

  it('offers safe operations as GET with query parameters', async () => {
    const response = await fetch(`${proxy.url}/api/v1/supplier/GetPrice?sku=SKU-00003&quantity=12`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { quantity: number }).quantity).toBe(12);
  });

  it('rejects invalid input with a pointer per field, before any SOAP call', async () => {
    const { status, body } = await post(proxy, 'GetPrice', { sku: 'nope', quantity: 0 });
    expect(status).toBe(400);
    expect(body['code']).toBe('BAD_USER_INPUT');
    expect((body['errors'] as { pointer: string }[]).map((error) => error.pointer).sort()).toEqual([
      '/quantity',
      '/sku',
    ]);
    expect(await supplier.calls('GetPrice')).toBe(0);
  });

  it('rejects text XML cannot carry (a control character) with 400 and its pointer, before any SOAP call', async () => {
    const { status, body } = await post(proxy, 'PlaceSupplierOrder', {
      reference: 'PO-\u0001',
      line: [{ sku: 'SKU-00001', quantity: 1 }],
    });
    expect(status).toBe(400);
    expect(body).toMatchObject({ code: 'BAD_USER_INPUT', errors: [{ pointer: '/reference' }] });
    expect(await supplier.calls('PlaceSupplierOrder')).toBe(0);
  });

  it('maps a SOAP Client fault to 422 with the faultstring and the fault detail', async () => {
    const { status, body } = await post(proxy, 'GetStockLevel', { sku: 'SKU-99999' });
    expect(status).toBe(422);
    expect(body).toMatchObject({
      code: 'UPSTREAM_REJECTED',
      detail: 'Unknown SKU: SKU-99999',
      faultcode: 'Client',
      faultDetail: { Fault: { code: 'UNKNOWN_SKU' } },
    });
    expect(await supplier.calls('GetStockLevel')).toBe(1); // a client fault is never retried
  });

  it('maps a SOAP Server fault to 502', async () => {
    await supplier.plan({ operation: 'GetPrice', mode: 'fault', times: 1 });
    const { status, body } = await post(proxy, 'GetPrice', { sku: 'SKU-00003', quantity: 1 });
    expect(status).toBe(502);
    expect(body).toMatchObject({
      code: 'UPSTREAM_ERROR',
      detail: 'Supplier database unavailable',
      faultcode: 'Server',
    });
  });

  it('retries an idempotent operation through transient 503s (counted by the supplier)', async () => {
    await supplier.plan({ operation: 'GetPrice', mode: 'http503', times: 2 });
    const { status } = await post(proxy, 'GetPrice', { sku: 'SKU-00004', quantity: 2 });
    expect(status).toBe(200);
    expect(await supplier.calls('GetPrice')).toBe(3);
  });

  it('never retries PlaceSupplierOrder, and answers 503 with Retry-After', async () => {
    await supplier.plan({ operation: 'PlaceSupplierOrder', mode: 'http503', times: 1 });
    const { status, headers, body } = await post(proxy, 'PlaceSupplierOrder', {
      reference: 'PO-TEST-1',
      line: [{ sku: 'SKU-00010', quantity: 1 }],
    });
    expect(status).toBe(503);
    expect(body['code']).toBe('UPSTREAM_UNAVAILABLE');
    expect(Number(headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await supplier.calls('PlaceSupplierOrder')).toBe(1);
  });

  it('answers 504 when the supplier is too slow', async () => {
    await supplier.plan({
      operation: 'PlaceSupplierOrder',
      mode: 'latency',
      latencyMs: 1_500,
      times: 1,
    });
    const { status, body } = await post(proxy, 'PlaceSupplierOrder', {
      reference: 'PO-TEST-2',
      line: [{ sku: 'SKU-00010', quantity: 1 }],
    });
    expect(status).toBe(504);
    expect(body['code']).toBe('UPSTREAM_TIMEOUT');
  });

  it('publishes a valid OpenAPI 3.1 document and interactive docs', async () => {
    const document = (await (await fetch(`${proxy.url}/openapi.json`)).json()) as Record<
      string,
      unknown
    >;
    expect((await new Validator().validate(document)).valid).toBe(true);
    expect(Object.keys(document['paths'] as object)).toContain(
      '/api/v1/supplier/PlaceSupplierOrder',
    );
    const docs = await fetch(`${proxy.url}/docs`);
    expect(docs.headers.get('content-type')).toContain('text/html');
    expect((await fetch(`${proxy.url}/docs/assets/swagger-ui-bundle.js`)).status).toBe(200);
  });
});
