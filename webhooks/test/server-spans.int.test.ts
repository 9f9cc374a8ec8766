// The inbound webhook's server span: a real webhooks process exporting its traces over OTLP to a
// real receiver. Inbound webhooks answered ahead of the app are spanned by the service itself
// (ownServerSpans), everything else by the http instrumentation: each request gets exactly one
// server span, which follows the caller's traceparent and says the route and the status.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort, startRedisServer, type RedisServer } from '@manifold/platform/testing';
import {
  startOtlpReceiver,
  type OtlpReceiver,
  type ReceivedSpan,
} from '../../test/e2e/observability/support/otlp-receiver.ts';
import { startService, type ServiceProcess } from '../../test/e2e/support/processes.ts';
import { sign } from './signers.ts';
import { writeWebhooksFile } from './support.ts';

const SECRET = 'gh-server-spans';
const SERVER = 2; // OTLP SpanKind

let redis: RedisServer;
let receiver: OtlpReceiver;
let service: ServiceProcess;

beforeAll(async () => {
  redis = await startRedisServer({ appendOnlyDir: mkdtempSync(join(tmpdir(), 'webhooks-aof-')) });
  receiver = await startOtlpReceiver();
  service = await startService({
    name: 'webhooks',
    entry: 'webhooks/src/main.ts',
    port: await freePort(),
    env: {
      WEBHOOKS_REDIS_URL: redis.url,
      WEBHOOKS_FILE: writeWebhooksFile({
        sources: { github: { scheme: 'github', secrets: ['WEBHOOKS_GITHUB_SECRET'] } },
        destinations: { chat: { url: 'http://127.0.0.1:9/unused' } },
        routes: [{ source: 'github', to: ['chat'] }],
      }),
      WEBHOOKS_GITHUB_SECRET: SECRET,
      WEBHOOKS_WORKERS: 'false',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      // Refusals' access lines (info) carry the request's trace id.
      LOG_LEVEL: 'info',
    },
    readyPath: '/healthz',
  });
});
afterAll(async () => {
  await service.stop();
  await receiver.close();
  await redis.stop();
});

/** A caller's trace context: a new trace, the caller's span, sampled unless said otherwise. */
const callerContext = (sampled = true) => {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-${sampled ? '01' : '00'}` };
};

/** A line of the service's output as JSON, or nothing (a line that is not one, or not whole yet). */
const parsedLine = (text: string): { req?: { id?: string }; trace_id?: unknown } | undefined => {
  try {
    return JSON.parse(text) as { req?: { id?: string }; trace_id?: unknown };
  } catch {
    return undefined;
  }
};

/** The trace id on the service's one access line for the request with id `requestId` (waited for). */
const loggedTraceIdOf = async (requestId: string): Promise<unknown> =>
  vi.waitFor(
    () => {
      const lines = service
        .output()
        .split('\n')
        .map(parsedLine)
        .filter((entry) => entry?.req?.id === requestId);
      expect(lines).toHaveLength(1);
      return lines[0]?.trace_id;
    },
    { timeout: 5_000, interval: 50 },
  );

const serverSpans = (traceId: string) =>
  receiver.spans.filter((span) => span.traceId === traceId && span.kind === SERVER);

/**
 * The server spans exported for `traceId`: counted once the span of a later request (a fence)
 * is in too, so that a second span of the same request, ended with it, cannot still be on its way.
 */
const serverSpansOf = async (traceId: string): Promise<ReceivedSpan[]> => {
  const fence = callerContext();
  const answer = await fetch(`${service.url}/openapi.json`, {
    headers: { traceparent: fence.traceparent },
  });
  await answer.arrayBuffer();
  await vi.waitFor(
    () => {
      expect(serverSpans(fence.traceId)).toHaveLength(1);
    },
    { timeout: 10_000, interval: 50 },
  );
  return serverSpans(traceId);
};

/**
 * POSTs a GitHub delivery signed with `secret` to /hooks/github in the caller's trace, with a
 * request id when given; `chunked`: a body of unknown length, which goes to the app, not ahead.
 */
const postGithub = (
  secret: string,
  id: string,
  caller: { traceparent: string },
  { requestId, chunked = false }: { requestId?: string; chunked?: boolean } = {},
) => {
  const { body, headers } = sign.github(secret, { id, type: 'push' });
  return fetch(`${service.url}/hooks/github`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      traceparent: caller.traceparent,
      ...(requestId === undefined ? {} : { 'x-request-id': requestId }),
      ...headers,
    },
    ...(chunked ? { body: new Blob([body]).stream(), duplex: 'half' } : { body }),
  });
};

describe('server spans of the webhooks service', () => {
  it('spans an accepted inbound webhook once, as a child of the caller, with route and status', async () => {
    const caller = callerContext();
    const response = await postGithub(SECRET, 'spans-1', caller);
    expect(response.status).toBe(202);

    const [span, ...more] = await serverSpansOf(caller.traceId);
    expect(more).toEqual([]);
    expect(span).toMatchObject({
      service: 'webhooks',
      scope: 'manifold',
      parentSpanId: caller.spanId,
      name: 'POST /hooks/:source',
      attributes: {
        'http.request.method': 'POST',
        'http.route': '/hooks/:source',
        'url.path': '/hooks/github',
        'url.scheme': 'http',
        'http.response.status_code': 202,
      },
    });
  });

  it('spans a refused one once, with the refusal’s status, and logs it with its trace id', async () => {
    const caller = callerContext();
    const response = await postGithub('another secret', 'spans-2', caller, {
      requestId: 'spans-refused-sampled',
    });
    expect(response.status).toBe(401);
    expect(await loggedTraceIdOf('spans-refused-sampled')).toBe(caller.traceId);

    const [span, ...more] = await serverSpansOf(caller.traceId);
    expect(more).toEqual([]);
    expect(span).toMatchObject({
      scope: 'manifold',
      parentSpanId: caller.spanId,
      attributes: { 'http.route': '/hooks/:source', 'http.response.status_code': 401 },
    });
  });

  it('keeps the trace id of a caller whose trace is not sampled: logged, nothing exported', async () => {
    const caller = callerContext(false);
    const response = await postGithub('another secret', 'spans-4', caller, {
      requestId: 'spans-refused-unsampled',
    });
    expect(response.status).toBe(401);
    expect(await loggedTraceIdOf('spans-refused-unsampled')).toBe(caller.traceId);
    expect(await serverSpansOf(caller.traceId)).toEqual([]);
  });

  it('leaves what is not answered ahead to the http instrumentation: one span still', async () => {
    // A body of unknown length (chunked) goes to the app, not ahead of it.
    const caller = callerContext();
    const response = await postGithub(SECRET, 'spans-3', caller, { chunked: true });
    expect(response.status).toBe(202);

    const [span, ...more] = await serverSpansOf(caller.traceId);
    expect(more).toEqual([]);
    expect(span).toMatchObject({
      scope: '@opentelemetry/instrumentation-http',
      parentSpanId: caller.spanId,
      attributes: { 'http.response.status_code': 202 },
    });
  });
});
