import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { soapFault, startSoapDouble, type SoapDouble } from './soap-double.ts';
import { post, startProxy, SUPPLIER_WSDL, type Proxy } from './support.ts';

/** What the supplier double answers to GetStockLevel; each test sets it. */
let answer: () => unknown;
const validLevel = {
  level: {
    sku: 'SKU-00001',
    available: 7,
    warehouse: 'BER-1',
    updatedAt: '2026-11-24T10:00:00Z',
  },
};

let double: SoapDouble;
let proxy: Proxy;
beforeAll(async () => {
  // A real SOAP server (node-soap) from the supplier's WSDL, answering whatever the test says.
  double = await startSoapDouble(SUPPLIER_WSDL, {
    StockSupplier: {
      StockPort: {
        GetStockLevel: () => answer(),
        PlaceSupplierOrder: () => ({
          orderId: 'PO-1',
          status: 'ACCEPTED',
          placedAt: '2026-11-24T10:00:00Z',
        }),
      },
    },
  });
  proxy = await startProxy({
    endpoint: double.url,
    resilience: { maxAttempts: 1 },
    operations: { GetStockLevel: { safe: true, cacheTtlSeconds: 60 } },
  });
});
afterAll(async () => {
  await proxy.close();
  await double.close();
});
beforeEach(() => {
  answer = () => validLevel;
});

const pointers = (body: Record<string, unknown>) =>
  ((body['errors'] ?? []) as { pointer: string }[]).map((error) => error.pointer).sort();

describe('input the WSDL does not declare', () => {
  it('rejects unknown fields with 400 and a pointer per field, before any SOAP call', async () => {
    const before = double.received.length;
    const { status, headers, body } = await post(proxy, 'GetStockLevel', {
      sku: 'SKU-00001',
      injected: 'hello',
      also: 1,
    });
    expect(status).toBe(400);
    expect(headers.get('content-type')).toContain('application/problem+json');
    expect(body['code']).toBe('BAD_USER_INPUT');
    expect(pointers(body)).toEqual(['/also', '/injected']);
    expect(double.received.length).toBe(before);
  });

  it('rejects unknown fields nested in repeated elements', async () => {
    const before = double.received.length;
    const { status, body } = await post(proxy, 'PlaceSupplierOrder', {
      reference: 'PO-1',
      line: [{ sku: 'SKU-00001', quantity: 1, discount: 50 }],
    });
    expect(status).toBe(400);
    expect(pointers(body)).toEqual(['/line/0/discount']);
    expect(double.received.length).toBe(before);
  });

  it('rejects unknown query parameters on GET, so they can neither reach the supplier nor split the cache', async () => {
    const before = double.received.length;
    const response = await fetch(
      `${proxy.url}/api/v1/supplier/GetStockLevel?sku=SKU-00001&bogus=2`,
    );
    expect(response.status).toBe(400);
    expect(pointers((await response.json()) as Record<string, unknown>)).toEqual(['/bogus']);
    expect(double.received.length).toBe(before);
  });

  it('never serialises a field the schema lacks, even when validation is bypassed', async () => {
    const operation = proxy.service.operations.find(
      (candidate) => candidate.name === 'GetStockLevel',
    )!;
    await operation.call({ sku: 'SKU-00001', injected: 'hello' }, new AbortController().signal);
    const envelope = double.received.at(-1)!.body;
    expect(envelope).toMatch(/<(\w+:)?sku>SKU-00001<\/(\w+:)?sku>/);
    expect(envelope).not.toContain('injected');
    expect(envelope).not.toContain('hello');
  });
});

describe('answers the WSDL does not allow', () => {
  it('answers 502 UPSTREAM_ERROR when required fields are missing, without leaking the validation errors', async () => {
    answer = () => ({ level: { sku: 'SKU-00001', available: 7 } });
    const { status, headers, body } = await post(proxy, 'GetStockLevel', { sku: 'SKU-00002' });
    expect(status).toBe(502);
    expect(headers.get('content-type')).toContain('application/problem+json');
    expect(body).toMatchObject({
      code: 'UPSTREAM_ERROR',
      upstream: 'supplier',
      detail: 'supplier sent an answer that does not match its WSDL',
    });
    expect(Object.keys(body).sort()).toEqual(
      ['code', 'detail', 'instance', 'status', 'title', 'type', 'upstream'].sort(),
    );
  });

  it('answers 502 when a field has the wrong type, and keeps the validation errors in the cause', async () => {
    answer = () => ({ level: { ...validLevel.level, available: 'plenty' } });
    expect((await post(proxy, 'GetStockLevel', { sku: 'SKU-00003' })).status).toBe(502);
    const operation = proxy.service.operations.find(
      (candidate) => candidate.name === 'GetStockLevel',
    )!;
    const failure: unknown = await operation
      .call({ sku: 'SKU-00003' }, new AbortController().signal)
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).toMatchObject({ code: 'UPSTREAM_ERROR', transient: false });
    expect((failure as Error).cause).toMatchObject({
      name: 'AnswerMismatchError',
      validationErrors: expect.arrayContaining([
        expect.objectContaining({ pointer: '/level/available' }),
      ]),
    });
  });

  it('never caches an invalid answer: the next request asks the supplier again', async () => {
    answer = () => ({ level: { sku: 'SKU-00004' } });
    const before = double.received.length;
    expect((await post(proxy, 'GetStockLevel', { sku: 'SKU-00004' })).status).toBe(502);
    answer = () => validLevel;
    const fresh = await post(proxy, 'GetStockLevel', { sku: 'SKU-00004' });
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('x-cache')).toBe('MISS');
    const cached = await post(proxy, 'GetStockLevel', { sku: 'SKU-00004' });
    expect(cached.headers.get('x-cache')).toBe('HIT');
    expect(double.received.length - before).toBe(2);
  });

  it('still answers 200 for a valid answer and 422 for a declared fault', async () => {
    expect((await post(proxy, 'GetStockLevel', { sku: 'SKU-00005' })).body).toEqual(validLevel);
    answer = () =>
      soapFault({
        faultcode: 'soap:Client',
        faultstring: 'Unknown SKU',
        detail: { Fault: { code: 'UNKNOWN_SKU', sku: 'SKU-00006' } },
      });
    const rejected = await post(proxy, 'GetStockLevel', { sku: 'SKU-00006' });
    expect(rejected.status).toBe(422);
    expect(rejected.body).toMatchObject({
      code: 'UPSTREAM_REJECTED',
      faultDetail: { Fault: { code: 'UNKNOWN_SKU', sku: 'SKU-00006' } },
    });
  });
});
