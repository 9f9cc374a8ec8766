// Issue 12: a non-idempotent legacy write (a new ticket, a comment) that fails ambiguously is not
// retried blindly but kept as a webhooks dead letter; its replay goes through the adapter (which
// logs in and fetches a CSRF token afresh), once. Real parts: the PHP monolith, the adapter over
// HTTP with its authentication, a real Redis (AOF), the webhooks API and its delivery worker, and
// the reference identity provider (the replay's bearer tokens, as under `npm start`).
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatabaseSync } from 'node:sqlite';
import {
  authenticationEdge,
  createAuthenticator,
  createClientCredentials,
  createJwtVerifier,
  generateApiKey,
  MANIFOLD_API_AUDIENCE,
  Secret,
  type Authenticate,
} from '@manifold/platform/auth';
import { createDeadLetterRecorder, type DeadLetterRecorder } from '@manifold/platform/dead-letters';
import { AppError } from '@manifold/platform/errors';
import {
  silentLogger,
  startPhpServer,
  startRedisServer,
  type PhpServer,
  type RedisServer,
} from '@manifold/platform/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { accessScopes } from '../legacy-rest-adapter/src/config.ts';
import { startAdapter, type Adapter } from '../legacy-rest-adapter/test/support.ts';
import type { ReplayTarget } from '../webhooks/src/delivery/replay-targets.ts';
import { startWebhooks, type TestWebhooks } from '../webhooks/test/support.ts';
import { apiKeyAccess } from './support/api-key-access.ts';
import { startIdentityProvider, type TestIdentityProvider } from './support/identity-provider.ts';

const keys = { app: generateApiKey(), replay: generateApiKey() };
const access = apiKeyAccess({
  'mobile-app': { key: keys.app, scopes: ['tickets:read', 'tickets:write'] },
  'webhooks-replay': { key: keys.replay, scopes: ['tickets:write'] },
});
/** The adapter's front door: API keys, and the identity provider's tokens (once it runs). */
let authenticate: Authenticate;
/** `Authorization` values the adapter refuses with a 401, as if their token had been revoked. */
const revokedBearers = new Set<string>();
const authenticateUnlessRevoked: Authenticate = (req) => {
  if (revokedBearers.has(req.headers.authorization ?? ''))
    throw new AppError('UNAUTHENTICATED', 'Credentials refused: the token has been revoked');
  return authenticate(req);
};

let idp: TestIdentityProvider;
let redis: RedisServer;
let webhooks: TestWebhooks;
/** What to stop afterwards, pushed as each part starts: a start failing half-way leaks nothing. */
const stops: (() => unknown)[] = [];
let recorder: DeadLetterRecorder;
let adapter: Adapter;
let monolith: PhpServer;
/** Redis's append-only files, and the monolith's database (`legacy.sqlite`) and sessions (`sessions/`). */
const aofDir = mkdtempSync(join(tmpdir(), 'legacydl-aof-'));
const dataDir = mkdtempSync(join(tmpdir(), 'legacydl-monolith-'));
let monolithDb: DatabaseSync | undefined;
/** The monolith's own database, read directly (it exists once the monolith served a page). */
const monolithRows = (sql: string, value: string) => {
  monolithDb ??= new DatabaseSync(join(dataDir, 'legacy.sqlite'), { readOnly: true });
  return (monolithDb.prepare(sql).get(value) as { n: number }).n;
};
/** Filled in once the adapter listens (the webhooks worker reads it per replay). */
const replayTargets: Record<string, ReplayTarget> = {};

beforeAll(async () => {
  idp = await startIdentityProvider();
  stops.push(() => idp.close());
  authenticate = createAuthenticator({
    access,
    jwt: createJwtVerifier({ issuer: idp.issuer, audience: MANIFOLD_API_AUDIENCE }),
  });
  redis = await startRedisServer({ appendOnlyDir: aofDir });
  stops.push(() => redis.stop());
  webhooks = await startWebhooks({
    redisUrl: redis.url,
    file: { sources: {}, destinations: {}, routes: [] },
    secrets: {},
    replayTargets,
  });
  stops.push(() => webhooks.close());
  webhooks.startWorkers();
  recorder = createDeadLetterRecorder({ redisUrl: redis.url, prefix: webhooks.engine.prefix });
  stops.push(() => recorder.close());
  // Sessions idle for long: one expires only when the test says so (below), never by a slow machine.
  monolith = await startPhpServer({
    router: fileURLToPath(new URL('../upstreams/php-monolith/router.php', import.meta.url)),
    env: {
      LEGACY_DATABASE_PATH: join(dataDir, 'legacy.sqlite'),
      LEGACY_SESSION_PATH: join(dataDir, 'sessions'),
      LEGACY_SESSION_IDLE_SECONDS: '600',
    },
  });
  stops.push(() => monolith.stop());
  adapter = await startAdapter({
    monolith,
    deadLetters: recorder,
    policy: { timeoutMs: 2_000 },
    edge: [
      authenticationEdge({ authenticate: authenticateUnlessRevoked, scopesFor: accessScopes }),
    ],
  });
  stops.push(() => adapter.close());
  replayTargets['legacy-rest-adapter'] = {
    baseUrl: adapter.url,
    credential: { apiKey: new Secret(() => keys.replay.key, 'test') },
    credentialHint: 'set WEBHOOKS_LEGACY_ADAPTER_API_KEY',
  };
});
afterAll(async () => {
  monolithDb?.close();
  for (const stop of stops.reverse()) await stop();
  for (const dir of [aofDir, dataDir]) rmSync(dir, { recursive: true, force: true });
});

const asApp = { 'x-api-key': keys.app.key };
const api = (path: string, init?: RequestInit) => fetch(`${webhooks.url}/api/v1${path}`, init);
const replay = (id: string) => api(`/dead-letters/${id}/replay`, { method: 'POST' });
const ticketsWithSubject = (subject: string) =>
  monolithRows('SELECT count(*) AS n FROM tickets WHERE subject = ?', subject);
const commentsWithBody = (body: string) =>
  monolithRows('SELECT count(*) AS n FROM ticket_comments WHERE body = ?', body);
/** Every job the deliveries queue holds, whatever its state: a record shows up here first. */
const recordedJobs = async () =>
  Object.values(await webhooks.engine.deliveries.getJobCounts()).reduce((a, b) => a + b, 0);

/** A loopback URL whose port was just free: connecting to it is refused. */
async function closedPortUrl(): Promise<string> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

/** Waits until the webhooks worker has made `id` a dead letter, and returns its detail. */
async function listedDeadLetter(id: string) {
  await vi.waitFor(
    async () => {
      const page = (await (await api('/dead-letters?source=legacy-rest-adapter')).json()) as {
        items: { id: string }[];
      };
      expect(page.items.map((item) => item.id)).toContain(id);
    },
    { timeout: 10_000, interval: 100 },
  );
  return (await (await api(`/dead-letters/${id}`)).json()) as {
    source: string;
    destination: string;
    eventType: string;
    payload: string;
    history: { attempt: number; status?: number; error?: string; response?: string }[];
  };
}

async function replayedOnce(id: string) {
  expect((await replay(id)).status).toBe(202);
  await vi.waitFor(
    async () => {
      expect(await webhooks.engine.deliveries.getJobState(id)).toBe('completed');
    },
    { timeout: 10_000, interval: 100 },
  );
}

async function secondReplayRefused(id: string) {
  const again = await replay(id);
  expect(again.status).toBe(409);
  expect(again.headers.get('content-type')).toContain('application/problem+json');
  expect(((await again.json()) as { code: string }).code).toBe('ALREADY_REPLAYED');
}

describe('a new ticket whose form post timed out', () => {
  it('is a dead letter without secrets, replayed once through the adapter after its session expired', async () => {
    const run = Date.now();
    const subject = `Dead letter ${run}`;
    // A first ticket: the adapter is logged in and holds the form's CSRF token, so the injected
    // latency below hits the form post itself (the token fetch uses the same legacy action).
    const warm = await adapter.request('POST', '/api/v2/tickets', {
      body: { customerId: 1, subject: `${subject} (warm-up)` },
      headers: { ...asApp, 'idempotency-key': `warm-${run}` },
    });
    expect(warm.status).toBe(201);
    await adapter.plan({ operation: 'ticket_new', mode: 'latency', latencyMs: 3_000, times: 1 });
    const body = { customerId: 1, subject, urgent: true };
    const clientKey = `client-${Date.now()}`;
    const failed = await adapter.request('POST', '/api/v2/tickets', {
      body,
      headers: { ...asApp, 'idempotency-key': clientKey },
    });
    expect(failed.status).toBe(504);
    expect(failed.headers.get('content-type')).toContain('application/problem+json');
    expect(failed.body['code']).toBe('UPSTREAM_TIMEOUT');
    const id = failed.body['deadLetterId'] as string;
    expect(id).toMatch(/^legacy-rest-adapter-/);

    // The slow post did reach the monolith, and wrote (it was only slow).
    await vi.waitFor(
      () => {
        expect(ticketsWithSubject(subject)).toBe(1);
      },
      { timeout: 10_000, interval: 100 },
    );
    // The caller's retry with its own key is not a second write: the same problem, the same id.
    const retried = await adapter.request('POST', '/api/v2/tickets', {
      body,
      headers: { ...asApp, 'idempotency-key': clientKey },
    });
    expect(retried.status).toBe(504);
    expect(retried.body['deadLetterId']).toBe(id);
    expect(ticketsWithSubject(subject)).toBe(1);

    const detail = await listedDeadLetter(id);
    expect(detail).toMatchObject({
      source: 'legacy-rest-adapter',
      destination: 'legacy',
      eventType: 'POST /tickets',
    });
    expect(JSON.parse(detail.payload)).toEqual(body);
    expect(detail.history).toEqual([
      expect.objectContaining({ attempt: 1, error: 'timed out (request sent)' }),
    ]);
    // No secrets kept: the caller's API key, the monolith's session cookie, its CSRF token.
    const job = await webhooks.engine.deliveries.getJob(id);
    const kept = JSON.stringify(job?.data);
    for (const secret of [keys.app.key, 'PHPSESSID', 'csrf', 'x-api-key', 'cookie'])
      expect(kept).not.toContain(secret);
    expect(job?.data.upstreamRequest).toMatchObject({
      method: 'POST',
      url: expect.stringMatching(/\/api\/v2\/tickets$/) as unknown,
    });
    expect(Object.keys(job?.data.upstreamRequest?.headers ?? {}).sort()).toEqual(['content-type']);
    expect(job?.data).toMatchObject({
      caller: 'mobile-app',
      eventId: failed.headers.get('x-request-id'),
    });

    // The monolith forgets the adapter's session (as at idle expiry): the replay must log in again,
    // and the monolith's "200 + error page" must not pass for a written ticket.
    for (const file of readdirSync(join(dataDir, 'sessions')))
      rmSync(join(dataDir, 'sessions', file));
    const logins = adapter.session.logins;
    await replayedOnce(id);
    expect(ticketsWithSubject(subject)).toBe(2); // the original's and the replay's: one each
    expect(adapter.session.logins).toBeGreaterThan(logins);

    await secondReplayRefused(id);
    expect(ticketsWithSubject(subject)).toBe(2);
    // The adapter ran the dead letter's key once: the same request again is the stored answer.
    const again = await adapter.request('POST', '/api/v2/tickets', {
      body,
      headers: { 'x-api-key': keys.replay.key, 'idempotency-key': id },
    });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(ticketsWithSubject(subject)).toBe(2);
  });
});

describe('a comment the monolith answered with a 500', () => {
  it('is a dead letter with the answer in its history; the replay writes it once', async () => {
    const text = `Comment ${Date.now()}`;
    await adapter.plan({ operation: 'ticket_comment', mode: 'http500', times: 1 });
    const key = `comment-${Date.now()}`;
    const failed = await adapter.request('POST', '/api/v2/tickets/1/comments', {
      body: { body: text },
      headers: { ...asApp, 'idempotency-key': key },
    });
    expect(failed.status).toBeGreaterThanOrEqual(500);
    const id = failed.body['deadLetterId'] as string;
    expect(id).toMatch(/^legacy-rest-adapter-/);
    // The injected 500 comes before the monolith writes: nothing happened yet.
    expect(commentsWithBody(text)).toBe(0);

    const detail = await listedDeadLetter(id);
    expect(detail.eventType).toBe('POST /tickets/:id/comments');
    expect(detail.history).toEqual([
      expect.objectContaining({ attempt: 1, status: 500, error: 'HTTP 500' }),
    ]);

    // Without a credential for the adapter nothing is sent, and the one replay is not used up.
    const target = replayTargets['legacy-rest-adapter']!;
    replayTargets['legacy-rest-adapter'] = { ...target, credential: undefined };
    expect((await replay(id)).status).toBe(202);
    await vi.waitFor(
      async () => {
        const { history } = await listedDeadLetter(id);
        expect(history.at(-1)?.error).toMatch(/^not sent: no credential for legacy-rest-adapter/);
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(commentsWithBody(text)).toBe(0);
    replayTargets['legacy-rest-adapter'] = target;

    await replayedOnce(id);
    expect(commentsWithBody(text)).toBe(1);
    await secondReplayRefused(id);
    expect(commentsWithBody(text)).toBe(1);
  });
});

describe('a replay with client credentials (as `npm start` wires it)', () => {
  /** The webhooks service's credential under `npm start`: the provider's `webhooks-replay` client. */
  const bearerFrom = (tokenUrl: string) => ({
    bearer: createClientCredentials({
      tokenUrl,
      clientId: 'webhooks-replay',
      clientSecret: new Secret(() => idp.clientSecret('webhooks-replay'), 'test'),
      scope: 'tickets:write',
      logger: silentLogger('webhooks'),
    }),
  });
  let failedComments = 0;
  /** A comment the monolith answered with a 500: a dead letter, nothing written yet. */
  async function failedComment(text: string) {
    await adapter.plan({ operation: 'ticket_comment', mode: 'http500', times: 1 });
    const failed = await adapter.request('POST', '/api/v2/tickets/1/comments', {
      body: { body: text },
      headers: { ...asApp, 'idempotency-key': `bearer-${(failedComments += 1)}-${Date.now()}` },
    });
    expect(failed.status).toBeGreaterThanOrEqual(500);
    const id = failed.body['deadLetterId'] as string;
    expect(id).toMatch(/^legacy-rest-adapter-/);
    await listedDeadLetter(id);
    return id;
  }

  it("writes once with the identity provider's bearer token, which the adapter's front door accepts", async () => {
    const target = replayTargets['legacy-rest-adapter']!;
    replayTargets['legacy-rest-adapter'] = {
      ...target,
      credential: bearerFrom(`${idp.issuer}/token`),
    };
    try {
      const texts = [`Bearer comment ${Date.now()}`, `Bearer comment ${Date.now()} (second)`];
      const ids = [await failedComment(texts[0]!), await failedComment(texts[1]!)];
      const tokensBefore = idp.stats.tokenRequests;
      for (const [index, id] of ids.entries()) {
        await replayedOnce(id);
        expect(commentsWithBody(texts[index]!)).toBe(1);
        // The adapter's answer, logged as attempt 2: a 201, its front door let the token through.
        const { logs } = await webhooks.engine.deliveries.getJobLogs(id);
        expect(JSON.parse(logs.at(-1)!)).toMatchObject({ attempt: 2, status: 201 });
      }
      // One token, shared by both replays (cached until shortly before it expires).
      expect(idp.stats.tokenRequests - tokensBefore).toBe(1);
      await secondReplayRefused(ids[0]!);
      expect(commentsWithBody(texts[0]!)).toBe(1);
    } finally {
      replayTargets['legacy-rest-adapter'] = target;
    }
  });

  it('after a 401 from the adapter, renews the token once and sends once more: written once', async () => {
    const target = replayTargets['legacy-rest-adapter']!;
    const credential = bearerFrom(`${idp.issuer}/token`);
    replayTargets['legacy-rest-adapter'] = { ...target, credential };
    try {
      const text = `Revoked-token comment ${Date.now()}`;
      const id = await failedComment(text);
      // The token the replay would use is refused at the adapter's front door.
      const first = await credential.bearer.token();
      revokedBearers.add(`Bearer ${first}`);
      const tokensBefore = idp.stats.tokenRequests;
      await replayedOnce(id);
      expect(idp.stats.tokenRequests - tokensBefore).toBe(1);
      expect(await credential.bearer.token()).not.toBe(first);
      expect(commentsWithBody(text)).toBe(1);
      const { logs } = await webhooks.engine.deliveries.getJobLogs(id);
      expect(JSON.parse(logs.at(-1)!)).toMatchObject({ attempt: 2, status: 201 });
    } finally {
      replayTargets['legacy-rest-adapter'] = target;
      revokedBearers.clear();
    }
  });

  it('sends nothing when the identity provider does not answer, and the dead letter stays replayable', async () => {
    const target = replayTargets['legacy-rest-adapter']!;
    const text = `Unsent comment ${Date.now()}`;
    const id = await failedComment(text);
    replayTargets['legacy-rest-adapter'] = {
      ...target,
      credential: bearerFrom(`${await closedPortUrl()}/token`),
    };
    try {
      expect((await replay(id)).status).toBe(202);
      await vi.waitFor(
        async () => {
          const { history } = await listedDeadLetter(id);
          expect(history.at(-1)?.error).toBe(
            'not sent: no token for legacy-rest-adapter: token endpoint unreachable',
          );
        },
        { timeout: 10_000, interval: 100 },
      );
      expect(commentsWithBody(text)).toBe(0);
    } finally {
      replayTargets['legacy-rest-adapter'] = target;
    }
    // The provider back (here: the right URL): the one replay was not used up.
    replayTargets['legacy-rest-adapter'] = {
      ...target,
      credential: bearerFrom(`${idp.issuer}/token`),
    };
    try {
      await replayedOnce(id);
      expect(commentsWithBody(text)).toBe(1);
    } finally {
      replayTargets['legacy-rest-adapter'] = target;
    }
  });
});

describe('failures that are not dead letters', () => {
  it('a refused write, a write never sent, and retry-safe requests are not recorded', async () => {
    const before = await recordedJobs();
    // The monolith refused the form (unknown customer): nothing written.
    const refused = await adapter.request('POST', '/api/v2/tickets', {
      body: { customerId: 999_999, subject: 'Nobody' },
      headers: { ...asApp, 'idempotency-key': `refused-${Date.now()}` },
    });
    expect(refused.status).toBe(422);
    expect(refused.body['code']).toBe('UPSTREAM_REJECTED');
    expect(refused.body['deadLetterId']).toBeUndefined();

    // A status change is idempotent: its 5xx is an error to the caller, who may simply repeat it.
    await adapter.plan({ operation: 'ticket_status', mode: 'http500', times: 1 });
    const patched = await adapter.request('PATCH', '/api/v2/tickets/1', {
      body: { status: 'pending' },
      headers: asApp,
    });
    expect(patched.status).toBeGreaterThanOrEqual(500);
    expect(patched.body['deadLetterId']).toBeUndefined();

    // A read failing for good.
    await adapter.plan({ operation: 'ticket', mode: 'http500', times: -1 });
    const read = await adapter.request('GET', '/api/v2/tickets/2', { headers: asApp });
    await adapter.plan({ operation: 'ticket', mode: 'http500', times: 0 });
    expect(read.status).toBeGreaterThanOrEqual(500);
    expect(read.body['deadLetterId']).toBeUndefined();

    // The monolith is not there at all: connection refused, nothing sent. (A port nothing listens
    // on; not 9 and the like, which fetch refuses by itself as "bad ports".)
    const closed = await startAdapter({
      deadLetters: recorder,
      monolith: { ...adapter.monolith, url: await closedPortUrl(), stop: () => Promise.resolve() },
    });
    const unsent = await closed.request('POST', '/api/v2/tickets', {
      body: { customerId: 1, subject: 'Never sent' },
      headers: { 'idempotency-key': `unsent-${Date.now()}` },
    });
    await closed.close();
    expect(unsent.status).toBe(503);
    expect(unsent.body['deadLetterId']).toBeUndefined();

    expect(await recordedJobs()).toBe(before);
  });
});

describe('a write that happened, whose read-back failed', () => {
  // The form post was answered with the monolith's redirect (the ticket's id): the write certainly
  // happened. Only the read-back (`action=ticket`) fails — an injected 503 on that page alone.
  const readBackFails = () => adapter.plan({ operation: 'ticket', mode: 'http503', times: -1 });
  const readBackHeals = () => adapter.plan({ operation: 'ticket', mode: 'http503', times: 0 });

  it('a new ticket: never posted twice for the same key, never a dead letter; the retry completes it', async () => {
    const before = await recordedJobs();
    const subject = `Read-back ${Date.now()}`;
    const body = { customerId: 2, subject };
    const key = `readback-${Date.now()}`;
    const post = () =>
      adapter.request('POST', '/api/v2/tickets', {
        body,
        headers: { ...asApp, 'idempotency-key': key },
      });
    await readBackFails();
    const failed = await post();
    // Retried while the monolith still cannot show it: nothing posted again.
    const stillFailing = await post();
    expect(ticketsWithSubject(subject)).toBe(1);

    // Both answers say what happened: the ticket exists, only its read-back failed; no dead letter.
    expect(failed.status).toBe(503);
    expect(failed.body['code']).toBe('READ_BACK_FAILED');
    expect(failed.body['deadLetterId']).toBeUndefined();
    const ticketId = failed.body['ticketId'];
    expect(ticketId).toEqual(expect.any(Number));
    expect(failed.body['ticketUrl']).toBe(`/api/v2/tickets/${String(ticketId)}`);
    expect(failed.headers.get('retry-after')).not.toBeNull();
    expect(stillFailing.status).toBe(503);
    expect(stillFailing.body).toMatchObject({ code: 'READ_BACK_FAILED', ticketId });

    await readBackHeals();
    const completed = await post();
    expect(completed.status).toBe(201);
    expect(completed.body).toMatchObject({ id: ticketId, customerId: 2, subject, status: 'open' });
    expect(completed.headers.get('location')).toBe(`/api/v2/tickets/${String(ticketId)}`);
    expect(completed.headers.get('idempotent-replayed')).toBe('true');
    // Once complete, the key answers that response, as for any finished write.
    const replayed = await post();
    expect(replayed.status).toBe(201);
    expect(replayed.body).toEqual(completed.body);
    expect(ticketsWithSubject(subject)).toBe(1);
    expect(await recordedJobs()).toBe(before);
  });

  it('a comment: the same, with the key; without one, the problem still says it was written', async () => {
    const before = await recordedJobs();
    const text = `Read-back comment ${Date.now()}`;
    const key = `readback-comment-${Date.now()}`;
    const comment = (headers: Record<string, string>) =>
      adapter.request('POST', '/api/v2/tickets/3/comments', {
        body: { body: text },
        headers: { ...asApp, ...headers },
      });
    await readBackFails();
    const failed = await comment({ 'idempotency-key': key });
    const again = await comment({ 'idempotency-key': key });
    expect(commentsWithBody(text)).toBe(1);
    expect(failed.status).toBe(503);
    expect(failed.body).toMatchObject({ code: 'READ_BACK_FAILED', ticketId: 3 });
    expect(failed.body['deadLetterId']).toBeUndefined();
    expect(again.body['code']).toBe('READ_BACK_FAILED');

    const unkeyed = await comment({});
    expect(unkeyed.status).toBe(503);
    expect(unkeyed.body).toMatchObject({ code: 'READ_BACK_FAILED', ticketId: 3 });
    expect(commentsWithBody(text)).toBe(2); // without a key, a second request is a second comment

    await readBackHeals();
    const completed = await comment({ 'idempotency-key': key });
    expect(completed.status).toBe(201);
    expect(completed.headers.get('idempotent-replayed')).toBe('true');
    expect(
      (completed.body['comments'] as { body: string }[]).filter((c) => c.body === text),
    ).toHaveLength(2);
    expect(commentsWithBody(text)).toBe(2);
    expect(await recordedJobs()).toBe(before);
  });
});

describe('a dead letter whose replay wrote but could not read back', () => {
  it('is not replayable again, shows the created ticket in its history, and its key never writes again', async () => {
    const run = Date.now();
    const subject = `Replay read-back ${run}`;
    const body = { customerId: 4, subject };
    const warm = await adapter.request('POST', '/api/v2/tickets', {
      body: { customerId: 4, subject: `${subject} (warm-up)` },
      headers: { ...asApp, 'idempotency-key': `warm-${run}` },
    });
    expect(warm.status).toBe(201);
    await adapter.plan({ operation: 'ticket_new', mode: 'latency', latencyMs: 3_000, times: 1 });
    const failed = await adapter.request('POST', '/api/v2/tickets', {
      body,
      headers: { ...asApp, 'idempotency-key': `client-${run}` },
    });
    expect(failed.body['code']).toBe('UPSTREAM_TIMEOUT');
    const id = failed.body['deadLetterId'] as string;
    await listedDeadLetter(id);
    await vi.waitFor(
      () => {
        expect(ticketsWithSubject(subject)).toBe(1);
      },
      { timeout: 10_000, interval: 100 },
    );

    // The replay's form post is accepted; reading its ticket back fails.
    await adapter.plan({ operation: 'ticket', mode: 'http503', times: -1 });
    expect((await replay(id)).status).toBe(202);
    const detail = await vi.waitFor(
      async () => {
        const letter = await listedDeadLetter(id);
        expect(letter.history).toHaveLength(2);
        return letter;
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(ticketsWithSubject(subject)).toBe(2); // the original's and the replay's: one each
    const answer = JSON.parse(detail.history[1]?.response ?? '{}') as Record<string, unknown>;
    expect(detail.history[1]).toMatchObject({ attempt: 2, status: 503 });
    expect(answer).toMatchObject({ code: 'READ_BACK_FAILED', ticketId: expect.any(Number) });
    await secondReplayRefused(id);

    // By hand, the dead letter's own key finishes the replay's write instead of repeating it.
    await adapter.plan({ operation: 'ticket', mode: 'http503', times: 0 });
    const finished = await adapter.request('POST', '/api/v2/tickets', {
      body,
      headers: { 'x-api-key': keys.replay.key, 'idempotency-key': id },
    });
    expect(finished.status).toBe(201);
    expect(finished.body['id']).toBe(answer['ticketId']);
    expect(finished.headers.get('idempotent-replayed')).toBe('true');
    expect(ticketsWithSubject(subject)).toBe(2);
  });
});
