import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { API_VERSIONS } from '../src/api-versions.ts';
import type { ApiVersionRow } from '../src/http/version-table.ts';
import { toCustomerV2 } from '../src/mapping/customers.ts';
import { representation } from '../src/representations.ts';
import { CustomerV2 } from '../src/schemas/customers.ts';
import { startAdapter, type Adapter } from './support.ts';

// A throwaway v3, added the way a real one would be: a row in the table (v2 steps down) plus the
// schema and mapping of the one thing it changes — customers gain a display name.
const CustomerV3 = CustomerV2.extend({ displayName: z.string() }).meta({ id: 'CustomerV3' });
const v3: ApiVersionRow = {
  version: 3,
  status: 'current',
  representations: {
    customer: representation(CustomerV3, (legacy) => {
      const customer = toCustomerV2(legacy);
      return { ...customer, displayName: `${customer.familyName}, ${customer.givenName}` };
    }),
  },
};
const [v1, v2] = API_VERSIONS as [ApiVersionRow, ApiVersionRow];
const versions: ApiVersionRow[] = [
  v1,
  {
    ...v2,
    status: 'deprecated',
    deprecatedSince: new Date('2027-01-01T00:00:00Z'),
    sunset: new Date('2028-01-01T00:00:00Z'),
    successor: 3,
  },
  v3,
];

interface Document {
  paths: Record<
    string,
    Record<
      string,
      {
        deprecated?: boolean;
        parameters?: { name: string; in: string; schema: { enum?: string[] } }[];
        responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
      }
    >
  >;
}

let adapter: Adapter;
beforeAll(async () => {
  adapter = await startAdapter({ versions });
});
afterAll(async () => {
  await adapter.close();
});

describe('a new version is a row in the table plus what it changes', () => {
  it('routes v3 with the one changed representation, and answers every other resource as v2 did', async () => {
    const customer = await adapter.get('/api/v3/customers/7');
    expect(customer.status).toBe(200);
    expect(customer.body).toMatchObject({
      givenName: 'José',
      familyName: 'Schröder',
      displayName: 'Schröder, José',
    });
    expect(customer.headers.get('deprecation')).toBeNull();
    const invoice = await adapter.get('/api/v3/invoices/500');
    expect(invoice.body).toEqual((await adapter.get('/api/v2/invoices/500')).body);
  });

  it('answers /api/… in v3 by default, and in whichever version API-Version names', async () => {
    expect((await adapter.get('/api/customers/8')).body).toHaveProperty('displayName');
    const v2Answer = await adapter.get('/api/customers/8', { 'api-version': '2' });
    expect(v2Answer.body).toHaveProperty('givenName');
    expect(v2Answer.body).not.toHaveProperty('displayName');
    expect((await adapter.get('/api/customers/8', { 'api-version': 'v1' })).body).toHaveProperty(
      'name',
    );
    const unknown = await adapter.get('/api/customers/8', { 'api-version': '4' });
    expect(unknown.status).toBe(400);
    expect(unknown.body['detail']).toBe('API-Version must be one of 1, 2, 3');
    expect((await adapter.get('/api/v4/customers/8')).status).toBe(404);
  });

  it('announces v2 as deprecated, with v3 as its successor', async () => {
    const { headers } = await adapter.get('/api/v2/customers/9');
    expect(headers.get('deprecation')).toBe(`@${Date.parse('2027-01-01T00:00:00Z') / 1000}`);
    expect(headers.get('sunset')).toBe('Sat, 01 Jan 2028 00:00:00 GMT');
    expect(headers.get('link')).toBe('</api/v3/customers/9>; rel="successor-version"');
    expect((await adapter.get('/api/v1/customers/9')).headers.get('link')).toBe(
      '</api/v2/customers/9>; rel="successor-version"',
    );
  });

  it('caches v3 answers with the one legacy read every version shares', async () => {
    await fetch(`${adapter.monolith.url}/_test/reset`, { method: 'POST' });
    await adapter.get('/api/v1/customers/10');
    await adapter.get('/api/v2/customers/10');
    await adapter.get('/api/v3/customers/10');
    const again = await adapter.get('/api/customers/10');
    expect(again.headers.get('x-cache')).toBe('HIT');
    expect(again.body).toHaveProperty('displayName');
    expect(await adapter.legacyCalls('customer')).toBe(1);
  });

  it('points a new ticket’s Location at the version it was created in', async () => {
    for (const [path, headers, location] of [
      ['/api/v3/tickets', {}, /^\/api\/v3\/tickets\/\d+$/],
      ['/api/tickets', {}, /^\/api\/v3\/tickets\/\d+$/],
      ['/api/tickets', { 'api-version': '1' }, /^\/api\/v1\/tickets\/\d+$/],
    ] as const) {
      const created = await adapter.request('POST', path, {
        body: { customerId: 21, subject: 'Version?' },
        headers: { ...headers, 'idempotency-key': randomUUID() },
      });
      expect(created.status, path).toBe(201);
      expect(created.headers.get('location'), path).toMatch(location);
    }
  });

  it('documents v3 in /openapi.json: its paths, its schema, v2 deprecated, API-Version naming it', () => {
    const { paths } = adapter.openApi as unknown as Document;
    const schemaOf = (path: string) =>
      paths[path]?.['get']?.responses['200']?.content?.['application/json']?.schema;
    expect(schemaOf('/api/v3/customers/{id}')).toEqual({
      $ref: '#/components/schemas/CustomerV3',
    });
    expect(schemaOf('/api/v3/invoices/{id}')).toEqual({ $ref: '#/components/schemas/InvoiceV2' });
    expect(paths['/api/v3/tickets']?.['post']).toBeDefined();
    expect(paths['/api/v3/customers/{id}']?.['get']?.deprecated).toBeUndefined();
    expect(paths['/api/v2/customers/{id}']?.['get']?.deprecated).toBe(true);
    const apiVersion = paths['/api/customers/{id}']?.['get']?.parameters?.find(
      (parameter) => parameter.in === 'header' && parameter.name === 'api-version',
    );
    expect(apiVersion?.schema.enum).toEqual(['1', '2', '3']);
  });
});
