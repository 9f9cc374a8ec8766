import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenApiDocument } from './contract-check.ts';
import { startAdapter, type Adapter } from './support.ts';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../node_modules/.bin/', import.meta.url));

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

  it('generates a TypeScript client (openapi-typescript) that type-checks, and catches a v1/v2 mix-up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'client-'));
    writeFileSync(join(dir, 'openapi.json'), JSON.stringify(document));
    await run(join(BIN, 'openapi-typescript'), [
      join(dir, 'openapi.json'),
      '-o',
      join(dir, 'api.ts'),
    ]);
    writeFileSync(
      join(dir, 'consumer.ts'),
      `import type { components, paths } from './api.ts';
type CustomerV2 = components['schemas']['CustomerV2'];
export const customer: CustomerV2 = { id: 7, email: 'a@example.com', vip: false, newsletter: true, createdAt: '2026-01-01T00:00:00Z', birthday: null, givenName: 'José', familyName: 'Schröder' };
type Invoice = paths['/api/v2/invoices/{id}']['get']['responses'][200]['content']['application/json'];
export const gross: Invoice['gross'] = { amount: '10.00', currency: 'EUR' };
type InvoiceV1 = paths['/api/v1/invoices/{id}']['get']['responses'][200]['content']['application/json'];
export const grossV1: InvoiceV1['gross'] = '10.00';
// @ts-expect-error v2 money is { amount, currency }, not a decimal string
export const wrong: Invoice['gross'] = '10.00';
`,
    );
    const tsc = await run(
      join(BIN, 'tsc'),
      [
        '--noEmit',
        '--strict',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--allowImportingTsExtensions',
        '--skipLibCheck',
        'consumer.ts',
      ],
      { cwd: dir },
    ).then(
      () => ({ code: 0, output: '' }),
      (error: unknown) => ({
        code: (error as { code: number }).code,
        output: (error as { stdout: string }).stdout,
      }),
    );
    expect(tsc.output).toBe('');
    expect(tsc.code).toBe(0);
  });
});
