import { connect } from 'node:net';
import { testGatewayIdentity } from '@manifold/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startService, type ServiceProcess } from '../support/processes.ts';

// The HTTP edge limits as the real processes apply them from their environment (HTTP_*,
// GRAPHQL_MAX_VARIABLES_BYTES): a slow-loris, a header flood, an oversized body and oversized
// variables, each refused with its typed answer before any upstream or subgraph is involved.

const LIMITS = {
  HTTP_MAX_HEADER_BYTES: '2048',
  HTTP_HEADERS_TIMEOUT_MS: '500',
  HTTP_REQUEST_TIMEOUT_MS: '1000',
  HTTP_BODY_LIMIT_BYTES: '4096',
};

/** Writes `request` on a raw socket and resolves with everything the server sent once it closes. */
function rawExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = '';
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('close', () => {
      resolve(received);
    });
    socket.on('error', reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
  });
}

/** The status and catalogue code of a raw problem+json answer. */
function parse(raw: string): { status: number; code: unknown } {
  const [head = '', body = '{}'] = raw.split('\r\n\r\n');
  return {
    status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]),
    code: (JSON.parse(body) as { code?: unknown }).code,
  };
}

const portOf = (service: ServiceProcess) => Number(new URL(service.url).port);

describe('edge limits on the gateway and a REST facade (real processes)', () => {
  // Both stay undefined if start-up failed; afterAll stops whatever did start.
  let gateway: ServiceProcess | undefined;
  let adapter: ServiceProcess | undefined;

  beforeAll(async () => {
    gateway = await startService({
      name: 'gateway',
      entry: 'gateway/src/main.ts',
      port: await freePort(),
      env: {
        ...LIMITS,
        GRAPHQL_MAX_VARIABLES_BYTES: '256',
        GATEWAY_IDENTITY_SECRET: testGatewayIdentity().secret,
      },
      readyPath: '/healthz',
    });
    adapter = await startService({
      name: 'legacy-rest-adapter',
      entry: 'legacy-rest-adapter/src/main.ts',
      port: await freePort(),
      // Never reached: every request here is refused before the adapter would call it.
      env: { ...LIMITS, LEGACY_URL: 'http://127.0.0.1:9' },
      readyPath: '/healthz',
    });
  });
  afterAll(async () => {
    await Promise.all([gateway?.stop(), adapter?.stop()]);
  });

  it.each([
    ['gateway', () => gateway!],
    ['legacy-rest-adapter', () => adapter!],
  ])(
    '%s: slow-loris headers → 408, header flood → 431, oversized body → 413',
    async (_name, service) => {
      const port = portOf(service());
      expect(
        parse(await rawExchange(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: 1')),
      ).toEqual({
        status: 408,
        code: 'REQUEST_TIMEOUT',
      });
      expect(
        parse(
          await rawExchange(
            port,
            `GET /healthz HTTP/1.1\r\nHost: x\r\nCookie: ${'c'.repeat(4_000)}\r\n\r\n`,
          ),
        ),
      ).toEqual({ status: 431, code: 'HEADERS_TOO_LARGE' });
      const oversized = await fetch(`${service().url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }', pad: 'x'.repeat(5_000) }),
      });
      expect(oversized.status).toBe(413);
      expect(((await oversized.json()) as { code: string }).code).toBe('PAYLOAD_TOO_LARGE');
    },
  );

  it('gateway: variables over GRAPHQL_MAX_VARIABLES_BYTES → 413 VARIABLES_TOO_LARGE', async () => {
    const response = await fetch(`${gateway!.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
      },
      body: JSON.stringify({
        query: 'query P($id: ID!) { product(id: $id) { name } }',
        variables: { id: 'x'.repeat(1_000) },
      }),
    });
    expect(response.status).toBe(413);
    const body = (await response.json()) as { errors: { extensions: Record<string, unknown> }[] };
    expect(body.errors[0]?.extensions).toMatchObject({
      code: 'VARIABLES_TOO_LARGE',
      maxVariablesBytes: 256,
    });
  });
});
