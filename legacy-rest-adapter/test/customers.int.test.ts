import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAdapter, type Adapter } from './support.ts';

let adapter: Adapter;
beforeAll(async () => {
  adapter = await startAdapter();
});
afterAll(async () => {
  await adapter.close();
});
beforeEach(async () => {
  await fetch(`${adapter.monolith.url}/_test/reset`, { method: 'POST' });
});

const get = (path: string, headers: Record<string, string> = {}) => adapter.get(path, headers);
const legacyCalls = (operation: string) => adapter.legacyCalls(operation);

describe('GET /api/v{1,2}/customers/:id over the real monolith', () => {
  it('v1: typed JSON from strings, Y/N, Berlin local dates and Latin-1 names; announces its deprecation', async () => {
    const { status, headers, body } = await get('/api/v1/customers/7');
    expect(status).toBe(200);
    expect(body).toEqual({
      id: 7,
      name: 'José Schröder',
      email: 'jose.schroder.7@example.com',
      vip: false,
      newsletter: false,
      createdAt: expect.any(String),
      birthday: '2003-01-27',
    });
    expect(body['createdAt']).toBe('2022-11-10T21:57:00.000Z'); // 22:57 in Berlin (CET) on 10/11/2022
    expect(headers.get('deprecation')).toMatch(/^@\d+$/);
    expect(headers.get('sunset')).toBe('Wed, 30 Jun 2027 00:00:00 GMT');
    expect(headers.get('link')).toBe('</api/v2/customers/7>; rel="successor-version"');
  });

  it('v2: the name split in two; no deprecation', async () => {
    const { headers, body } = await get('/api/v2/customers/7');
    expect(body).toMatchObject({ id: 7, givenName: 'José', familyName: 'Schröder' });
    expect(body).not.toHaveProperty('name');
    expect(headers.get('deprecation')).toBeNull();
  });

  it('picks the version from the API-Version header when the path has none (default v2)', async () => {
    expect((await get('/api/customers/7', { 'api-version': '1' })).body).toHaveProperty('name');
    expect((await get('/api/customers/7')).body).toHaveProperty('givenName');
    const unknown = await get('/api/customers/7', { 'api-version': '9' });
    expect(unknown.status).toBe(400);
    expect(unknown.body['code']).toBe('BAD_USER_INPUT');
  });

  it('maps the legacy "200 + status:error" to 404 problem+json, and rejects a bad id before calling the monolith', async () => {
    const missing = await get('/api/v2/customers/999999');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
    expect(missing.body).toMatchObject({ code: 'NOT_FOUND', detail: 'Customer not found' });
    const before = await legacyCalls('customer');
    const bad = await get('/api/v2/customers/abc');
    expect(bad.status).toBe(400);
    expect(bad.body['errors']).toEqual([expect.objectContaining({ pointer: '/id' })]);
    expect(await legacyCalls('customer')).toBe(before);
  });

  it('logs in once for many concurrent calls, and once again (single flight) after the legacy session expired', async () => {
    const loginsBefore = adapter.session.logins;
    // Fresh ids each time: cached customers would not reach the monolith at all.
    const burst = (first: number) =>
      Promise.all(Array.from({ length: 10 }, (_, i) => get(`/api/v2/customers/${first + i}`)));
    expect((await burst(101)).every((response) => response.status === 200)).toBe(true);
    const afterFirst = adapter.session.logins;
    expect(afterFirst - loginsBefore).toBeLessThanOrEqual(1);

    await new Promise((resolve) => setTimeout(resolve, 3_100)); // past LEGACY_SESSION_IDLE_SECONDS
    expect((await burst(201)).every((response) => response.status === 200)).toBe(true);
    expect(adapter.session.logins - afterFirst).toBe(1);
    expect(await legacyCalls('login')).toBe(1);
  });

  it('retries a read through transient 503s, and answers 503 with Retry-After when the monolith stays down', async () => {
    await adapter.plan({ operation: 'customer', mode: 'http503', times: 2 });
    expect((await get('/api/v2/customers/333')).status).toBe(200);
    expect(await legacyCalls('customer')).toBe(3);

    await adapter.plan({ operation: 'customer', mode: 'http503' });
    const down = await get('/api/v2/customers/334');
    expect(down.status).toBe(503);
    expect(down.body['code']).toBe('UPSTREAM_UNAVAILABLE');
    expect(Number(down.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('publishes a valid OpenAPI 3.1 document with both versions, generated from the zod schemas', async () => {
    const document = (await (await fetch(`${adapter.url}/openapi.json`)).json()) as {
      paths: Record<string, { get?: { deprecated?: boolean } }>;
    };
    expect((await new Validator().validate(document as never)).valid).toBe(true);
    expect(document.paths['/api/v1/customers/{id}']?.get?.deprecated).toBe(true);
    expect(document.paths['/api/v2/customers/{id}']?.get).toBeDefined();
  });
});
