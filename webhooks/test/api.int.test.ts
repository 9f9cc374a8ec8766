// The dead-letter REST API: scopes from the access file (webhooks:read to look, webhooks:replay
// to replay), problem+json refusals, filters, attempt history, replay one and replay by filter
// (dry run first), and an OpenAPI 3.1 document that validates.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import {
  authenticationEdge,
  createApiKey,
  createAuthenticator,
  loadAccessFile,
  staticAccessPolicy,
} from '@manifold/platform/auth';
import { telemetryEdge } from '@manifold/platform/telemetry';
import { installTestTelemetry, requireRedis, type TestTelemetry } from '@manifold/platform/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { accessScopes } from '../src/config.ts';
import { sign } from './signers.ts';
import {
  partnerSource,
  startSink,
  startWebhooks,
  type Sink,
  type TestWebhooks,
} from './support.ts';

const SECRET = 'api-secret';
let sink: Sink;
let webhooks: TestWebhooks;
let readKey: string;
let replayKey: string;
let telemetry: TestTelemetry;

function accessFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'webhooks-access-')), 'access.yaml');
  writeFileSync(
    path,
    `tiers: { internal: {} }
defaultTier: internal
clients:
  reader: { tier: internal, scopes: [webhooks:read] }
  operator: { tier: internal, scopes: [webhooks:read, webhooks:replay] }
`,
  );
  readKey = createApiKey(path, { client: 'reader' }).key;
  replayKey = createApiKey(path, { client: 'operator' }).key;
  return path;
}

beforeAll(async () => {
  // A destination that refuses everything (422): a permanent failure, dead-lettered at once.
  sink = await startSink(() => ({ status: 422 }));
  const access = staticAccessPolicy(loadAccessFile(accessFile()));
  // Before the service: its instruments are made against the providers installed now.
  telemetry = installTestTelemetry();
  webhooks = await startWebhooks({
    redisUrl: await requireRedis(),
    file: {
      sources: {
        partner: partnerSource,
      },
      destinations: { crm: { url: sink.url } },
      routes: [{ source: 'partner', to: ['crm'] }],
    },
    secrets: { PARTNER_SECRET: SECRET },
    edge: [
      telemetryEdge(),
      authenticationEdge({
        authenticate: createAuthenticator({ access }),
        scopesFor: accessScopes,
      }),
    ],
  });
  webhooks.startWorkers();
  for (const [id, type] of [
    ['a-1', 'invoice.paid'],
    ['a-2', 'invoice.paid'],
    ['a-3', 'customer.created'],
  ])
    expect(
      (await webhooks.post('partner', sign.hmac(SECRET, { id: id!, type: type! }))).status,
    ).toBe(202);
  await vi.waitFor(
    async () => {
      expect(await webhooks.deadLetters.count()).toBe(3);
    },
    { timeout: 20_000, interval: 100 },
  );
});
afterAll(async () => {
  await webhooks.close();
  await sink.close();
  await telemetry.close();
});

const call = (
  path: string,
  { key, method = 'GET', body }: { key?: string; method?: string; body?: unknown } = {},
) =>
  fetch(`${webhooks.url}${path}`, {
    method,
    headers: {
      ...(key ? { 'x-api-key': key } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

describe('the dead-letter API', () => {
  it('refuses a caller without credentials (401) and one without webhooks:replay (403)', async () => {
    const anonymous = await call('/api/v1/dead-letters');
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    const reader = await call('/api/v1/dead-letters/replay', {
      key: readKey,
      method: 'POST',
      body: {},
    });
    expect(reader.status).toBe(403);
    expect(reader.headers.get('content-type')).toBe('application/problem+json');
    expect(await reader.json()).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('lists dead letters by filter and shows one with its payload and attempts', async () => {
    const all = await call('/api/v1/dead-letters', { key: readKey });
    expect(all.status).toBe(200);
    expect(await all.json()).toMatchObject({ total: 3 });
    const invoices = (await (
      await call('/api/v1/dead-letters?eventType=invoice.paid&error=HTTP%20422', { key: readKey })
    ).json()) as {
      total: number;
      items: { id: string; eventId: string; attempts: number }[];
    };
    expect(invoices.total).toBe(2);
    // Newest failure first (these two failed in whichever order the worker took them).
    expect(invoices.items.map((item) => item.eventId).sort()).toEqual(['a-1', 'a-2']);
    const firstPage = (await (
      await call('/api/v1/dead-letters?eventType=invoice.paid&limit=1', { key: readKey })
    ).json()) as { total: number; items: { eventId: string }[]; nextCursor: string };
    expect(firstPage).toMatchObject({ total: 2, items: [{}] });
    const lastPage = (await (
      await call(
        `/api/v1/dead-letters?eventType=invoice.paid&limit=1&cursor=${firstPage.nextCursor}`,
        { key: readKey },
      )
    ).json()) as { items: { eventId: string }[]; nextCursor?: string };
    expect(lastPage.nextCursor).toBeUndefined();
    expect([firstPage.items[0]!.eventId, lastPage.items[0]!.eventId].sort()).toEqual([
      'a-1',
      'a-2',
    ]);
    // A 422 is not transient: one attempt, no retries.
    expect(invoices.items[0]!.attempts).toBe(1);
    const detail = await call(`/api/v1/dead-letters/${encodeURIComponent(invoices.items[0]!.id)}`, {
      key: readKey,
    });
    const shown = invoices.items[0]!.eventId;
    expect(await detail.json()).toMatchObject({
      eventId: shown,
      payload: expect.stringContaining(`"${shown}"`),
      history: [{ attempt: 1, status: 422, error: 'HTTP 422', response: 'status 422' }],
    });
  });

  it('counts what it received (an id reused too), each attempt, and the dead letters waiting (metrics)', async () => {
    const sum = async (name: string, attributes: Record<string, string>) =>
      (await telemetry.points(name))
        .filter((point) =>
          Object.entries(attributes).every(([key, value]) => point.attributes[key] === value),
        )
        .reduce((total, point) => total + (point.value as number), 0);
    expect(
      await sum('manifold.webhooks.received', { source: 'partner', outcome: 'accepted' }),
    ).toBe(3);
    // An id sent again with another event: refused 409, and counted as such.
    const reused = await webhooks.post(
      'partner',
      sign.hmac(SECRET, { id: 'a-1', type: 'customer.deleted' }),
    );
    expect(reused.status).toBe(409);
    expect(
      await sum('manifold.webhooks.received', { source: 'partner', outcome: 'id-reused' }),
    ).toBe(1);
    expect(
      await sum('manifold.webhooks.delivery.attempts', {
        destination: 'crm',
        outcome: 'dead-lettered',
      }),
    ).toBe(3);
    expect(await sum('manifold.webhooks.dead_letters', {})).toBe(3);
  });

  it('answers 400 BAD_USER_INPUT for a bad filter and 404 for an unknown dead letter', async () => {
    const bad = await call('/api/v1/dead-letters?from=yesterday', { key: readKey });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      code: 'BAD_USER_INPUT',
      errors: [{ pointer: '/from' }],
    });
    const forged = await call('/api/v1/dead-letters?cursor=forged', { key: readKey });
    expect(forged.status).toBe(400);
    expect(await forged.json()).toMatchObject({
      code: 'BAD_USER_INPUT',
      errors: [{ pointer: '/cursor' }],
    });
    const missing = await call('/api/v1/dead-letters/nope', { key: readKey });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('replays one, then the rest by filter after a dry run, keeping each Idempotency-Key', async () => {
    sink.answer.current = () => ({ status: 200 });
    const { items } = (await (
      await call('/api/v1/dead-letters?eventType=customer.created', { key: readKey })
    ).json()) as {
      items: { id: string; idempotencyKey: string }[];
    };
    const one = await call(`/api/v1/dead-letters/${encodeURIComponent(items[0]!.id)}/replay`, {
      key: replayKey,
      method: 'POST',
    });
    expect(one.status).toBe(202);
    // The answer is the dead letter that was replayed, as it was (not the job the retry reset).
    const replayedOne = (await one.json()) as { error: unknown; failedAt: unknown };
    expect(replayedOne.error).toEqual(expect.any(String));
    expect(Date.parse(String(replayedOne.failedAt))).toBeGreaterThan(Date.parse('2026-01-01'));
    await vi.waitFor(() => {
      expect(sink.effects.has(items[0]!.idempotencyKey)).toBe(true);
    });

    const dry = await call('/api/v1/dead-letters/replay', {
      key: replayKey,
      method: 'POST',
      body: { filter: { source: 'partner' } },
    });
    expect(await dry.json()).toMatchObject({
      dryRun: true,
      matched: 2,
      replayed: 0,
      first: [{ eventId: 'a-1' }, { eventId: 'a-2' }],
    });
    expect(await webhooks.deadLetters.count()).toBe(2);
    const replay = await call('/api/v1/dead-letters/replay', {
      key: replayKey,
      method: 'POST',
      body: { filter: { source: 'partner' }, dryRun: false },
    });
    const replayedAll = (await replay.json()) as { first: { error: unknown }[] };
    expect(replayedAll).toMatchObject({ dryRun: false, matched: 2, replayed: 2 });
    expect(replayedAll.first.map((letter) => typeof letter.error)).toEqual(['string', 'string']);
    await vi.waitFor(
      async () => {
        expect(await webhooks.engine.deliveries.getCompletedCount()).toBe(3);
      },
      { timeout: 10_000 },
    );
    expect(await webhooks.deadLetters.count()).toBe(0);
    // Each key was sent once before (refused) and once on replay: the same key both times.
    expect([...sink.requests.values()]).toEqual([2, 2, 2]);
    expect(sink.effects.size).toBe(3);
    expect(sink.repeats.size).toBe(0);
  });

  it('serves an OpenAPI 3.1 document that validates, with the scopes each operation needs', async () => {
    const document = (await (await call('/openapi.json')).json()) as Record<string, unknown>;
    const result = await new Validator().validate(document);
    expect(result.errors).toBeUndefined();
    const paths = document['paths'] as Record<string, Record<string, { security?: unknown }>>;
    expect(paths['/api/v1/dead-letters/replay']?.['post']?.security).toEqual([
      { apiKey: ['webhooks:replay'] },
      { bearer: ['webhooks:replay'] },
    ]);
    expect(paths['/hooks/{source}']?.['post']?.security).toEqual([]);
  });
});
