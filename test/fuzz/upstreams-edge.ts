import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { FuzzEdge } from './edges.ts';
import { bodyViolations, type Answer } from './harness.ts';
import { HOSTILE_MODES, startHostileUpstream, type HostileMode } from './hostile-upstream.ts';
import { e2eAccess } from '../e2e/support/access.ts';
import {
  freePort,
  REPO_ROOT,
  startService,
  type ServiceProcess,
} from '../e2e/support/processes.ts';

/** Per attempt, short: a drip must not make the run slow. */
const TIMEOUT_MS = 300;

/** What a facade answers a failing upstream with: ours to own, and typed. */
const UPSTREAM_CODES = new Set([
  'UPSTREAM_ERROR',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_RESPONSE_TOO_LARGE',
]);

/** One call a client makes that the facade answers from its upstream. */
interface UpstreamCall {
  facade: 'legacy' | 'soap';
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

const id = fc.integer({ min: 1, max: 500 }).map(String);
const sku = fc.integer({ min: 1, max: 99_999 }).map((n) => `SKU-${String(n).padStart(5, '0')}`);

const calls: fc.Arbitrary<UpstreamCall> = fc.oneof(
  id.map((n) => ({
    facade: 'legacy' as const,
    method: 'GET' as const,
    path: `/api/v2/customers/${n}`,
  })),
  id.map((n) => ({
    facade: 'legacy' as const,
    method: 'GET' as const,
    path: `/api/v1/customers/${n}/invoices`,
  })),
  id.map((n) => ({
    facade: 'legacy' as const,
    method: 'GET' as const,
    path: `/api/v2/customers/${n}/loyalty/history`,
  })),
  id.map((n) => ({
    facade: 'legacy' as const,
    method: 'GET' as const,
    path: `/api/v2/tickets/${n}`,
  })),
  fc.tuple(id, fc.uuid()).map(([n, key]) => ({
    facade: 'legacy' as const,
    method: 'POST' as const,
    path: '/api/v2/tickets',
    body: { customerId: Number(n), subject: 'Hostile', urgent: false },
    headers: { 'idempotency-key': key },
  })),
  sku.map((s) => ({
    facade: 'soap' as const,
    method: 'POST' as const,
    path: '/api/v1/supplier/GetStockLevel',
    body: { sku: s },
  })),
  sku.map((s) => ({
    facade: 'soap' as const,
    method: 'POST' as const,
    path: '/api/v1/supplier/GetPrice',
    body: { sku: s, quantity: 1 },
  })),
);

/** The slow modes are few: each costs the policy's whole time budget. */
const modes: fc.Arbitrary<HostileMode> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.constantFrom(
      ...HOSTILE_MODES.filter((mode) => mode !== 'drip' && mode !== 'huge'),
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom<HostileMode>('drip', 'huge') },
);

/** Why an answer to a call the upstream failed is not the typed failure it must be. */
function upstreamFailureViolations(answer: Answer): string[] {
  const problems = bodyViolations(answer);
  if (![502, 503, 504].includes(answer.status)) problems.push(`status ${String(answer.status)}`);
  if (!answer.contentType.startsWith('application/problem+json'))
    problems.push(`a ${answer.contentType || 'typeless'} answer, not problem+json`);
  else {
    const code = (JSON.parse(answer.body) as { code?: unknown }).code;
    if (typeof code !== 'string' || !UPSTREAM_CODES.has(code))
      problems.push(`code ${String(code)}, not an upstream failure's`);
  }
  return problems;
}

/**
 * Both facades, as processes in production mode, in front of one hostile upstream (the
 * monolith's LEGACY_URL and the supplier's endpoint): each input is a call a client makes and
 * the way the upstream misbehaves while answering it. Invariant: a typed 502/503/504
 * problem+json naming an upstream failure, the processes alive, their memory near baseline.
 */
export const upstreamsEdge: FuzzEdge<{ call: UpstreamCall; mode: HostileMode }> = {
  name: 'upstreams',
  ciRuns: 60,
  clientSideOnly: false,
  start: async () => {
    const upstream = await startHostileUpstream();
    const access = e2eAccess([
      'customers:read',
      'invoices:read',
      'tickets:read',
      'tickets:write',
      'supplier:read',
      'supplier:write',
    ]);
    const config = join(mkdtempSync(join(tmpdir(), 'fuzz-upstreams-')), 'services.json');
    writeFileSync(
      config,
      JSON.stringify({
        services: [
          {
            name: 'supplier',
            wsdl: join(REPO_ROOT, 'upstreams/soap-supplier/supplier.wsdl'),
            endpoint: `${upstream.url}/soap`,
            timeoutMs: TIMEOUT_MS,
            resilience: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 50 },
            operations: {
              GetStockLevel: { safe: true, cacheTtlSeconds: 30 },
              GetPrice: { safe: true, cacheTtlSeconds: 300 },
            },
          },
        ],
      }),
    );
    const started: ServiceProcess[] = [];
    const stop = async () => {
      await Promise.all(started.map((service) => service.stop()));
      await upstream.close();
    };
    try {
      const common = { NODE_ENV: 'production', ACCESS_FILE: access.ACCESS_FILE };
      started.push(
        await startService({
          name: 'legacy-rest-adapter',
          entry: 'legacy-rest-adapter/src/main.ts',
          port: await freePort(),
          env: { ...common, LEGACY_URL: upstream.url, LEGACY_TIMEOUT_MS: String(TIMEOUT_MS) },
          readyPath: '/healthz',
        }),
        await startService({
          name: 'soap-proxy',
          entry: 'soap-proxy/src/main.ts',
          port: await freePort(),
          env: { ...common, SOAP_PROXY_CONFIG: config },
          readyPath: '/healthz',
        }),
      );
    } catch (error) {
      await stop();
      throw error;
    }
    const [legacy, soap] = started as [ServiceProcess, ServiceProcess];
    const send = async ({ call, mode }: { call: UpstreamCall; mode: HostileMode }) => {
      upstream.mode = mode;
      const base = call.facade === 'legacy' ? legacy.url : soap.url;
      const response = await fetch(`${base}${call.path}`, {
        method: call.method,
        headers: {
          'x-api-key': access.key,
          ...call.headers,
          ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
      });
      return {
        status: response.status,
        contentType: response.headers.get('content-type') ?? '',
        body: await response.text(),
      };
    };
    return {
      arbitrary: fc.record({ call: calls, mode: modes }),
      send,
      check: (_input, answer) => upstreamFailureViolations(answer),
      processes: started.map((service) => ({
        name: service.name,
        pid: service.child.pid ?? 0,
        baseUrl: service.url,
      })),
      // Every code path once (the huge answer included), so the baseline is the steady state.
      warmUp: async () => {
        for (const mode of HOSTILE_MODES.filter((one) => one !== 'drip'))
          for (const call of [
            { facade: 'legacy' as const, method: 'GET' as const, path: '/api/v2/customers/1' },
            {
              facade: 'soap' as const,
              method: 'POST' as const,
              path: '/api/v1/supplier/GetStockLevel',
              body: { sku: 'SKU-00001' },
            },
          ])
            await send({ call, mode });
      },
      stop,
    };
  },
};
