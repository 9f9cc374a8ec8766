import { randomUUID } from 'node:crypto';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenApiDocument } from './contract-check.ts';
import { startAdapter, type Adapter } from './support.ts';

let adapter: Adapter;
let document: OpenApiDocument;
beforeAll(async () => {
  adapter = await startAdapter();
  document = adapter.openApi;
});
afterAll(async () => {
  await adapter.close();
});

/** [method, URL, body?, headers?] — every route, happy and unhappy. */
const calls = (): [string, string, unknown?, Record<string, string>?][] => [
  ['get', '/api/v1/customers/7'],
  ['get', '/api/v2/customers/7'],
  ['get', '/api/v2/customers/999999'],
  ['get', '/api/v2/customers/abc'],
  ['get', '/api/v1/customers/7/invoices?limit=2'],
  ['get', '/api/v2/customers/7/invoices?limit=2'],
  ['get', '/api/v1/invoices/500'],
  ['get', '/api/v2/invoices/500'],
  ['get', '/api/v2/customers/7/loyalty'],
  ['get', '/api/v2/customers/7/loyalty/history?limit=3'],
  ['get', '/api/v2/tickets?status=open&limit=3'],
  ['get', '/api/v2/tickets/3'],
  [
    'post',
    '/api/v2/tickets',
    { customerId: 21, subject: 'Vertrag' },
    { 'idempotency-key': randomUUID() },
  ],
  [
    'post',
    '/api/v2/tickets',
    { customerId: 999_999, subject: 'Wer?' },
    { 'idempotency-key': randomUUID() },
  ],
  ['patch', '/api/v2/tickets/4', { status: 'pending' }],
  ['post', '/api/v2/tickets/4/comments', { body: 'Hallo' }],
  ['get', '/api/customers/7', undefined, { 'api-version': '1' }],
  ['get', '/api/invoices/500'],
  ['get', '/api/v2/invoices/1e3'],
];

describe('the published contract', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(document as unknown as Record<string, unknown>);
    expect(result.errors).toBeUndefined();
  });

  it('describes every response the adapter gives (bodies validated against the document)', async () => {
    for (const [method, url, body, headers = {}] of calls()) {
      // Rejects, naming the call, when the status is undocumented or the body does not match.
      await expect(
        adapter.request(method.toUpperCase(), url, { body, headers }),
      ).resolves.toBeDefined();
    }
  });

  it('declares the request headers clients send, leaves defaulted fields optional, and names its servers', () => {
    const operations = document.paths as Record<
      string,
      Record<
        string,
        {
          parameters?: { name: string; in: string; required?: boolean }[];
          requestBody?: {
            content: Record<string, { schema: { required?: string[]; properties?: object } }>;
          };
        }
      >
    >;
    const headersOf = (path: string, method: string) =>
      (operations[path]?.[method]?.parameters ?? [])
        .filter((parameter) => parameter.in === 'header')
        .map(({ name, required = false }) => [name, required]);
    expect(headersOf('/api/v2/tickets', 'post')).toEqual([['idempotency-key', true]]);
    expect(headersOf('/api/v2/tickets/{id}/comments', 'post')).toEqual([
      ['idempotency-key', false],
    ]);
    expect(headersOf('/api/v2/customers/{id}', 'get')).toEqual([['if-none-match', false]]);
    expect(headersOf('/api/customers/{id}', 'get')).toEqual([
      ['if-none-match', false],
      ['api-version', false],
    ]);
    expect(headersOf('/api/tickets', 'post')).toEqual([
      ['idempotency-key', true],
      ['api-version', false],
    ]);
    const createTicket =
      operations['/api/v2/tickets']?.['post']?.requestBody?.content['application/json']?.schema;
    expect(createTicket?.properties).toHaveProperty('urgent');
    expect(createTicket?.required).toEqual(['customerId', 'subject']);
    expect((document as { servers?: unknown }).servers).toEqual([
      { url: '/', description: 'This adapter' },
    ]);
  });
});
