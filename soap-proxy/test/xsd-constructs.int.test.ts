import { fileURLToPath } from 'node:url';
import type { Server } from 'node:http';
import { listen } from '@manifold/platform/http';
import { Validator } from '@seriousme/openapi-schema-validator';
import { silentLogger } from '@manifold/platform/testing';
import { Keyv } from 'keyv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { ProxyConfig } from '../src/config.ts';
import { createSoapService, type SoapService } from '../src/services/soap-service.ts';
import { soapFault, startSoapDouble, type SoapDouble } from './soap-double.ts';

const WSDL = fileURLToPath(new URL('fixtures/reports.wsdl', import.meta.url));
const PATH = '/api/v1/reports/GetReport';

/** What the double answers to GetReport; each test sets it. */
let answer: (args: Record<string, unknown>) => unknown = () => ({});
let double: SoapDouble;
let service: SoapService;
let server: Server;
let url: string;

beforeAll(async () => {
  double = await startSoapDouble(WSDL, {
    Reports: { ReportsPort: { GetReport: (args: Record<string, unknown>) => answer(args) } },
  });
  const [config] = ProxyConfig.parse({
    services: [
      { name: 'reports', wsdl: WSDL, endpoint: double.url, resilience: { maxAttempts: 1 } },
    ],
  }).services;
  service = await createSoapService(config!, { logger: silentLogger() });
  ({ server, url } = await listen(
    createApp({ services: [service], cache: new Keyv(), logger: silentLogger(), production: true }),
    { port: 0, host: '127.0.0.1' },
  ));
});
afterAll(async () => {
  await service.close();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  await double.close();
});

async function call(body: unknown) {
  const response = await fetch(`${url}${PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
const lastEnvelope = () => double.received.at(-1)!.body;

describe('XSD constructs, round-tripped through a node-soap server built from the WSDL', () => {
  it('returns elements of repeating sequences and choices as arrays for 0, 1 and n occurrences, and numeric enums as numbers', async () => {
    const cases = [
      {
        sent: { id: 'r0', priority: 10 },
        expected: { id: 'r0', priority: 10, key: [], count: [], tag: [], flag: [] },
      },
      {
        sent: { id: 'r1', priority: 20, key: 'a', count: 1, tag: 'x', note: 'one' },
        expected: {
          id: 'r1',
          priority: 20,
          key: ['a'],
          count: [1],
          note: 'one',
          tag: ['x'],
          flag: [],
        },
      },
      {
        sent: { id: 'rn', priority: 10, key: ['a', 'b'], count: [1, 2], tag: ['x'], flag: [true] },
        expected: {
          id: 'rn',
          priority: 10,
          key: ['a', 'b'],
          count: [1, 2],
          tag: ['x'],
          flag: [true],
        },
      },
    ];
    for (const { sent, expected } of cases) {
      answer = () => ({ report: sent });
      expect(await call({ id: sent.id })).toEqual({ status: 200, body: { report: expected } });
    }
  });

  it('accepts a numeric enumeration of a user-defined int as a number, and only its values', async () => {
    answer = () => ({ report: { id: 'p', priority: 10 } });
    expect((await call({ id: 'p', priority: 20 })).status).toBe(200);
    expect(lastEnvelope()).toMatch(/<(\w+:)?priority>20<\/(\w+:)?priority>/);
    const before = double.received.length;
    expect((await call({ id: 'p', priority: 15 })).status).toBe(400);
    expect((await call({ id: 'p', priority: '20' })).status).toBe(400);
    expect(double.received.length).toBe(before);
  });

  it('treats an answer with both branches of an optional choice as invalid (502)', async () => {
    answer = () => ({ report: { id: 'c', priority: 10, note: 'n', warning: 'w' } });
    const { status, body } = await call({ id: 'c' });
    expect(status).toBe(502);
    expect(body['code']).toBe('UPSTREAM_ERROR');
  });

  it('forwards undeclared fields of an open (xsd:any) type; a field name XML cannot carry is 400, never raw XML', async () => {
    answer = () => ({ report: { id: 'o', priority: 10 } });
    const forwarded = await call({ id: 'o', extras: { source: 'web', campaign: 'x-mas' } });
    expect(forwarded.status).toBe(200);
    expect(lastEnvelope()).toMatch(/<(\w+:)?campaign>x-mas<\/(\w+:)?campaign>/);
    const sent = double.received.length;
    const injected = await call({ id: 'o', extras: { source: 'web', $xml: '<evil/>' } });
    expect(injected.status).toBe(400);
    expect(injected.body['errors']).toEqual([
      { pointer: '/extras/$xml', detail: 'is not a name XML can carry' },
    ]);
    expect(double.received.length).toBe(sent);
  });

  it('normalises the detail of a declared fault like an answer', async () => {
    answer = () =>
      soapFault({
        faultcode: 'soap:Client',
        faultstring: 'Report is being rebuilt',
        detail: { ReportFault: { code: 'REBUILDING', retryAfterSeconds: 30, field: 'id' } },
      });
    const { status, body } = await call({ id: 'f' });
    expect(status).toBe(422);
    expect(body).toMatchObject({
      code: 'UPSTREAM_REJECTED',
      faultDetail: { ReportFault: { code: 'REBUILDING', retryAfterSeconds: 30, field: ['id'] } },
    });
  });

  it('documents the fault detail in the 422 and 502 responses it publishes', async () => {
    const document = (await (await fetch(`${url}/openapi.json`)).json()) as {
      paths: Record<string, { post: { responses: Record<string, unknown> } }>;
    };
    expect((await new Validator().validate(document)).valid).toBe(true);
    const responses = document.paths[PATH]!.post.responses;
    for (const status of ['422', '502'])
      expect(JSON.stringify(responses[status])).toContain(
        '"faultDetail":{"type":"object","properties":{"ReportFault":{"$ref":"#/components/schemas/ReportFaultDetail"}}}',
      );
  });
});
