import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, startProxy, startSupplier, type Proxy, type Supplier } from './support.ts';

const SERVICES = JSON.parse(
  readFileSync(fileURLToPath(new URL('../services.json', import.meta.url)), 'utf8'),
) as { services: { session: Record<string, unknown> }[] };
/** The shipped session settings, with the reference supplier's default credentials. */
const SESSION = {
  ...SERVICES.services[0]!.session,
  input: { username: 'manifold', password: 'supplier-secret' },
};

let supplier: Supplier;
let proxy: Proxy;
const expireSessions = async () => {
  const response = await fetch(`${supplier.url}/_test/expire-sessions`, { method: 'POST' });
  expect(response.ok).toBe(true);
};

beforeAll(async () => {
  // Every call takes a while (more calls than the supplier has workers queue), so that all N
  // concurrent calls are on their way with the stale session before any learns it expired.
  supplier = await startSupplier({ latencyMs: 150 });
  proxy = await startProxy({
    endpoint: `${supplier.url}/`,
    resilience: { maxAttempts: 1 },
    session: SESSION,
  });
});
afterAll(async () => {
  await proxy.close();
  await supplier.stop();
});

describe('a service that logs in and sends its session in a SOAP header', () => {
  it('logs in once, sends the session header, and passes the answer’s SOAP header on', async () => {
    const first = await post(proxy, 'GetAccountBalance', {});
    expect(first.status).toBe(200);
    // `currency` is fixed="EUR": filled in when left out; asOf is a dateTime without a time zone.
    expect(first.body).toEqual({
      balance: '12345.67',
      currency: 'EUR',
      asOf: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/) as unknown,
    });
    expect(JSON.parse(first.headers.get('soap-header-servertrace') ?? 'null')).toEqual({
      requestId: expect.stringMatching(/^[0-9a-f]{16}$/) as unknown,
    });
    expect((await post(proxy, 'GetAccountBalance', { currency: 'EUR' })).status).toBe(200);
    expect(await supplier.calls('Login')).toBe(1);
  });

  it('logs in again exactly once when the session expires under N concurrent calls', async () => {
    await post(proxy, 'GetAccountBalance', {}); // a session exists
    const loginsBefore = await supplier.calls('Login');
    const balancesBefore = await supplier.calls('GetAccountBalance');
    await expireSessions();
    const concurrent = 8;
    const answers = await Promise.all(
      Array.from({ length: concurrent }, () => post(proxy, 'GetAccountBalance', {})),
    );
    expect(answers.map((answer) => [answer.status, answer.body])).toEqual(
      Array(concurrent).fill([200, expect.anything()]),
    );
    expect(await supplier.calls('Login')).toBe(loginsBefore + 1);
    // Each call was refused once (expired) and answered once after the new login.
    expect(await supplier.calls('GetAccountBalance')).toBe(balancesBefore + 2 * concurrent);
  });

  it('refuses a wrong fixed value before calling the supplier', async () => {
    const before = await supplier.calls('GetAccountBalance');
    const wrong = await post(proxy, 'GetAccountBalance', { currency: 'USD' });
    expect(wrong.status).toBe(400);
    expect(wrong.body['errors']).toEqual([
      { pointer: '/currency', detail: 'must be equal to constant' },
    ]);
    expect(await supplier.calls('GetAccountBalance')).toBe(before);
  });

  it('documents the session header as the service’s own: callers are not asked for it', async () => {
    const document = (await (await fetch(`${proxy.url}/openapi.json`)).json()) as {
      paths: Record<
        string,
        {
          post: {
            parameters?: unknown[];
            responses: Record<string, { headers?: Record<string, unknown> }>;
          };
        }
      >;
    };
    const balance = document.paths['/api/v1/supplier/GetAccountBalance']!.post;
    expect(
      (balance.parameters ?? []).map((parameter) => (parameter as { name: string }).name),
    ).toEqual(['X-Request-Id']);
    expect(Object.keys(balance.responses['200']!.headers ?? {})).toEqual([
      'SOAP-Header-ServerTrace',
    ]);
  });
});

describe('a login the supplier refuses', () => {
  it('answers 502 UPSTREAM_ERROR (soap-proxy’s configuration, not the caller’s input)', async () => {
    const refused = await startProxy({
      endpoint: `${supplier.url}/`,
      resilience: { maxAttempts: 1 },
      session: { ...SESSION, input: { username: 'manifold', password: 'wrong' } },
    });
    try {
      const answer = await post(refused, 'GetAccountBalance', {});
      expect(answer.status).toBe(502);
      expect(answer.body['code']).toBe('UPSTREAM_ERROR');
    } finally {
      await refused.close();
    }
  });
});
