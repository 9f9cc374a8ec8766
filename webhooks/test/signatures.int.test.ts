// The signature matrix: for each scheme, a valid request, a tampered body, a wrong secret, the
// previous secret during a rotation, a timestamp 5 s outside the 300 s tolerance either way (one
// 5 s inside accepted) and a replayed delivery — each decided as it must be, over HTTP, with the
// event stored (or not) in real Redis. The suite prints the counts.
import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { requireRedis } from '@manifold/platform/testing';
import { receiptKey } from '../src/delivery/receipts.ts';
import { bodyOnlyHash, contentHash, deliveryKey, eventKey } from '../src/engine/ids.ts';
import { bodyEventId, sign, standardSecret, type SchemeName } from './signers.ts';
import { startSink, startWebhooks, type Sink, type TestWebhooks } from './support.ts';

const SECRETS: Record<SchemeName, { current: string; previous: string; wrong: string }> = {
  stripe: {
    current: 'whsec_stripe_current',
    previous: 'whsec_stripe_previous',
    wrong: 'whsec_nope',
  },
  github: { current: 'gh-current', previous: 'gh-previous', wrong: 'gh-wrong' },
  shopify: { current: 'shp-current', previous: 'shp-previous', wrong: 'shp-wrong' },
  standard: {
    current: standardSecret('standard-current'),
    previous: standardSecret('standard-previous'),
    wrong: standardSecret('standard-wrong'),
  },
  hmac: { current: 'hmac-current', previous: 'hmac-previous', wrong: 'hmac-wrong' },
  'hmac-body': { current: 'body-current', previous: 'body-previous', wrong: 'body-wrong' },
};
const SCHEMES = {
  stripe: { scheme: 'stripe', type: 'invoice.paid' },
  github: { scheme: 'github', type: 'pull_request' },
  shopify: { scheme: 'shopify', type: 'orders/create' },
  standard: { scheme: 'standard-webhooks', type: 'order.created' },
  hmac: { scheme: 'hmac', type: 'thing.happened' },
  'hmac-body': { scheme: 'hmac', type: 'thing.happened' },
} as const;
/**
 * Schemes whose signature covers a timestamp (GitHub, Shopify and the generic HMAC set up without
 * one sign none: a replay is caught by id).
 */
const TIMESTAMPED: readonly SchemeName[] = ['stripe', 'standard', 'hmac'];
const NAMES = Object.keys(SCHEMES) as SchemeName[];
/** How long a delivery to the local sink may take to arrive (it takes milliseconds). */
const DELIVERED = { timeout: 10_000, interval: 20 };
const variable = (name: SchemeName, which: 'CURRENT' | 'PREVIOUS') =>
  `SECRET_${name.toUpperCase().replaceAll('-', '_')}_${which}`;
/** The generic HMAC's two set-ups: a prefixed hex SHA-256 over `<timestamp>.<body>` with an id header, and a bare base64 SHA-512 over the body alone, identified by its hash. */
const HMAC_SETUPS: Partial<Record<SchemeName, Record<string, string>>> = {
  hmac: { prefix: 'sha256=', timestampHeader: 'x-timestamp' },
  'hmac-body': { signatureHeader: 'x-body-signature', algorithm: 'sha512', encoding: 'base64' },
};

const tally: Record<string, Record<string, 'pass'>> = {};
const decided = (scheme: SchemeName, kase: string) => {
  (tally[scheme] ??= {})[kase] = 'pass';
};

const SOURCES = Object.fromEntries(
  NAMES.map((name) => [
    name,
    {
      scheme: SCHEMES[name].scheme,
      secrets: [variable(name, 'CURRENT'), variable(name, 'PREVIOUS')],
      ...HMAC_SETUPS[name],
    },
  ]),
);
const SOURCE_SECRETS = Object.fromEntries(
  NAMES.flatMap((name) => [
    [variable(name, 'CURRENT'), SECRETS[name].current],
    [variable(name, 'PREVIOUS'), SECRETS[name].previous],
  ]),
);

let webhooks: TestWebhooks;
/**
 * The same sources on a second service whose worker delivers every event to a real sink: the
 * replayed deliveries are counted there. (The first runs no worker: the jobs its tests read stay
 * as they were added.)
 */
let delivering: TestWebhooks;
let sink: Sink;
beforeAll(async () => {
  const redisUrl = await requireRedis();
  webhooks = await startWebhooks({
    redisUrl,
    file: {
      sources: SOURCES,
      // Never delivered (no worker runs): only the reused-id and resend cases read these jobs.
      destinations: {
        first: { url: 'http://127.0.0.1:9/first' },
        second: { url: 'http://127.0.0.1:9/second' },
      },
      routes: [
        { source: 'hmac', events: ['a.b'], to: ['first'] },
        { source: 'hmac', events: ['c.d'], to: ['second'] },
        { source: 'hmac', events: ['both.ways'], to: ['first', 'second'] },
      ],
    },
    secrets: SOURCE_SECRETS,
  });
  sink = await startSink(() => ({ status: 200 }));
  delivering = await startWebhooks({
    redisUrl,
    file: {
      sources: SOURCES,
      destinations: { sink: { url: sink.url } },
      routes: NAMES.map((name) => ({ source: name, to: ['sink'] })),
    },
    secrets: SOURCE_SECRETS,
  });
  delivering.startWorkers();
});
afterAll(async () => {
  await webhooks.close();
  await delivering.close();
  await sink.close();
  const rows = NAMES.map(
    (name) => `  ${name.padEnd(9)} ${Object.keys(tally[name] ?? {}).join(', ')}`,
  );
  const total = Object.values(tally).reduce((sum, cases) => sum + Object.keys(cases).length, 0);
  const untimed = NAMES.filter((name) => !TIMESTAMPED.includes(name));
  process.stdout.write(
    `signature matrix: ${total} cases decided correctly; no stale-timestamp case for ${untimed.join(', ')} (as set up, they sign no timestamp)\n${rows.join('\n')}\n`,
  );
});

/** Whether the event's receipt is kept (every accepted event has one, routed or not). */
const stored = async (source: SchemeName, id: string, { engine } = webhooks) =>
  (await engine.redis.exists(receiptKey(engine.prefix, eventKey(source, id)))) === 1;
/** A receipt kept as an earlier build kept it, in a step before its deliveries' (none here). */
const plantReceipt = (event: string, hash: string, seconds: number, { engine } = webhooks) =>
  engine.redis.set(receiptKey(engine.prefix, event), hash, 'EX', seconds, 'NX');
/** How many requests the sink got for the sender's event `id` (whatever their Idempotency-Key). */
const deliveredTimes = (id: string) =>
  sink.received.filter(({ headers }) => headers['x-manifold-event-id'] === id).length;

describe.each(NAMES)('%s signatures', (name) => {
  const event = (id: string) => ({ id: `${name}-${id}`, type: SCHEMES[name].type });
  const signWith = (secret: string, id: string, timestamp?: number) =>
    name === 'github' || name === 'shopify' || name === 'hmac-body'
      ? sign[name](secret, event(id))
      : sign[name](secret, event(id), timestamp);
  /** The event id the service keys a request by: the sender's, or the body's hash where it names none. */
  const idOf = (id: string, { body }: { body: string }) =>
    name === 'hmac-body' ? bodyEventId(body) : `${name}-${id}`;

  it('accepts a valid request (202) and stores the event', async () => {
    const signed = signWith(SECRETS[name].current, 'valid');
    const response = await webhooks.post(name, signed);
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({
      status: 'accepted',
      eventId: idOf('valid', signed),
      eventType: SCHEMES[name].type,
    });
    expect(await stored(name, idOf('valid', signed))).toBe(true);
    decided(name, 'valid');
  });

  it('refuses a tampered body with WEBHOOK_SIGNATURE_INVALID and stores nothing', async () => {
    const signed = signWith(SECRETS[name].current, 'tampered');
    const tampered = { ...signed, body: signed.body.replace('}', ',"x":1}') };
    const response = await webhooks.post(name, tampered);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 'WEBHOOK_SIGNATURE_INVALID' });
    expect(await stored(name, idOf('tampered', signed))).toBe(false);
    expect(await stored(name, idOf('tampered', tampered))).toBe(false);
    decided(name, 'tampered');
  });

  it('refuses a wrong secret with WEBHOOK_SIGNATURE_INVALID', async () => {
    const signed = signWith(SECRETS[name].wrong, 'wrong');
    const response = await webhooks.post(name, signed);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 'WEBHOOK_SIGNATURE_INVALID' });
    expect(await stored(name, idOf('wrong', signed))).toBe(false);
    decided(name, 'wrong secret');
  });

  it('accepts the previous secret while both are active (rotation)', async () => {
    const signed = signWith(SECRETS[name].previous, 'rotated');
    const response = await webhooks.post(name, signed);
    expect(response.status).toBe(202);
    expect(await stored(name, idOf('rotated', signed))).toBe(true);
    decided(name, 'rotated');
  });

  // GitHub, Shopify and hmac-body sign no timestamp: an old delivery replayed is caught by its id
  // (below).
  if (TIMESTAMPED.includes(name))
    it('refuses a correctly signed timestamp just outside the 300 s tolerance, either way, with WEBHOOK_TIMESTAMP_STALE, and accepts one just inside', async () => {
      // 5 s either side of the edge: the test's own time between signing and the check.
      const now = Math.floor(Date.now() / 1000);
      for (const outside of [now - 305, now + 305]) {
        const response = await webhooks.post(
          name,
          signWith(SECRETS[name].current, 'stale', outside),
        );
        expect(response.status).toBe(401);
        expect(await response.json()).toMatchObject({ code: 'WEBHOOK_TIMESTAMP_STALE' });
      }
      expect(await stored(name, `${name}-stale`)).toBe(false);
      const inside = signWith(SECRETS[name].current, 'edge', now - 295);
      expect((await webhooks.post(name, inside)).status).toBe(202);
      expect(await stored(name, idOf('edge', inside))).toBe(true);
      decided(name, 'stale');
    });

  it('answers a replayed delivery 200 duplicate, stores it once and delivers it once', async () => {
    const signed = signWith(SECRETS[name].current, 'replayed');
    const replayed = idOf('replayed', signed);
    // Replayed at once (its delivery perhaps still to go), then again once it was delivered.
    const answers = [await delivering.post(name, signed), await delivering.post(name, signed)];
    await vi.waitFor(() => {
      expect(deliveredTimes(replayed)).toBeGreaterThan(0);
    }, DELIVERED);
    answers.push(await delivering.post(name, signed));
    expect(answers.map((answer) => answer.status)).toEqual([202, 200, 200]);
    expect(await answers[2]!.json()).toMatchObject({ status: 'duplicate' });
    expect(await stored(name, replayed, delivering)).toBe(true);
    // A later event through the same queue to the same sink: once it has arrived and nothing is
    // left to send, a second delivery of the replayed one would have arrived too.
    const laterSigned = signWith(SECRETS[name].current, 'after-replayed');
    const later = idOf('after-replayed', laterSigned);
    expect((await delivering.post(name, laterSigned)).status).toBe(202);
    await vi.waitFor(async () => {
      expect(deliveredTimes(later)).toBe(1);
      expect(
        await delivering.engine.deliveries.getJobCounts('waiting', 'active', 'delayed'),
      ).toEqual({ waiting: 0, active: 0, delayed: 0 });
    }, DELIVERED);
    expect(deliveredTimes(replayed)).toBe(1);
    decided(name, 'replayed');
  });
});

describe('every source', () => {
  it('refuses an event id reused with another body (WEBHOOK_ID_REUSED), keeping the first', async () => {
    // The second body's type is routed where the first's is not: still nothing of it is stored.
    const first = sign.hmac(SECRETS.hmac.current, { id: 'reused', type: 'a.b' });
    const second = sign.hmac(SECRETS.hmac.current, { id: 'reused', type: 'c.d' });
    expect((await webhooks.post('hmac', first)).status).toBe(202);
    const response = await webhooks.post('hmac', second);
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ code: 'WEBHOOK_ID_REUSED' });
    const event = eventKey('hmac', 'reused');
    expect(
      (await webhooks.engine.deliveries.getJob(deliveryKey(event, 'first')))?.data,
    ).toMatchObject({ eventType: 'a.b' });
    expect(await webhooks.engine.deliveries.getJob(deliveryKey(event, 'second'))).toBeUndefined();
  });

  it('keeps exactly one of two bodies sent with one id at the same instant, and nothing of the other', async () => {
    // Both requests' claims meet in Redis (often in one write: write-batching.ts): the claim
    // script lets one in; the other must see it and add nothing — even where its type routes.
    for (let pair = 0; pair < 20; pair++) {
      const id = `race-${String(pair)}`;
      const bodies = [
        sign.hmac(SECRETS.hmac.current, { id, type: 'a.b' }),
        sign.hmac(SECRETS.hmac.current, { id, type: 'c.d' }),
      ];
      const statuses = (
        await Promise.all(bodies.map((signed) => webhooks.post('hmac', signed)))
      ).map((response) => response.status);
      expect(statuses.toSorted()).toEqual([202, 409]);
      const event = eventKey('hmac', id);
      const kept = statuses[0] === 202 ? 'first' : 'second';
      const refused = kept === 'first' ? 'second' : 'first';
      expect(await webhooks.engine.deliveries.getJob(deliveryKey(event, kept))).toBeDefined();
      expect(await webhooks.engine.deliveries.getJob(deliveryKey(event, refused))).toBeUndefined();
    }
  });

  it('answers one of ten identical requests sent at the same instant 202, the nine others 200 duplicate, and keeps one job', async () => {
    // The receipt and the deliveries are one Redis step (engine/claim-and-add.ts): whichever
    // request's step runs first stores the event; every later one finds it whole.
    for (let round = 0; round < 5; round++) {
      const id = `same-instant-${String(round)}`;
      const signed = sign.hmac(SECRETS.hmac.current, { id, type: 'a.b' });
      const statuses = (
        await Promise.all(Array.from({ length: 10 }, () => webhooks.post('hmac', signed)))
      ).map((response) => response.status);
      expect(statuses.toSorted()).toEqual([...Array.from({ length: 9 }, () => 200), 202]);
      expect(
        (await webhooks.engine.deliveries.getJob(deliveryKey(eventKey('hmac', id), 'first')))?.data,
      ).toMatchObject({ eventType: 'a.b', body: signed.body });
    }
  });

  it('stores, on the same body, an event whose receipt was kept without its deliveries; another body stays refused for the window', async () => {
    const event = eventKey('hmac', 'claimed-only');
    const first = sign.hmac(SECRETS.hmac.current, { id: 'claimed-only', type: 'a.b' });
    // What an earlier build's receiver killed right after its claim (a step of its own then) left
    // behind: a receipt, no deliveries.
    expect(await plantReceipt(event, contentHash('a.b', Buffer.from(first.body)), 3_600)).toBe(
      'OK',
    );
    expect(await webhooks.engine.deliveries.getJob(deliveryKey(event, 'first'))).toBeUndefined();
    // Another body: refused, as any reuse of an id.
    const other = sign.hmac(SECRETS.hmac.current, { id: 'claimed-only', type: 'c.d' });
    expect((await webhooks.post('hmac', other)).status).toBe(409);
    // The sender's resend with the same body stores the event: 202, not a duplicate (it never was).
    const resend = await webhooks.post('hmac', first);
    expect(resend.status).toBe(202);
    expect(await resend.json()).toMatchObject({ status: 'accepted' });
    expect(
      (await webhooks.engine.deliveries.getJob(deliveryKey(event, 'first')))?.data,
    ).toMatchObject({ eventType: 'a.b', body: first.body });
    // Now everything is kept: a resend is a duplicate, and another body still refused.
    const again = await webhooks.post('hmac', first);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ status: 'duplicate' });
    expect((await webhooks.post('hmac', other)).status).toBe(409);
    expect(await webhooks.engine.deliveries.getJob(deliveryKey(event, 'second'))).toBeUndefined();
    // The receipt lasts the duplicate window from the first arrival (3,600 s in this service).
    const ttl = await webhooks.engine.redis.ttl(receiptKey(webhooks.engine.prefix, event));
    expect(ttl).toBeGreaterThan(3_500);
    expect(ttl).toBeLessThanOrEqual(3_600);
  });

  it('refuses an id resent with the same body under another type (a header names it), as any reuse of an id', async () => {
    const push = sign.github(SECRETS.github.current, { id: 'typed-1', type: 'push' });
    const retyped = sign.github(SECRETS.github.current, { id: 'typed-1', type: 'pull_request' });
    expect(retyped.body).toBe(push.body);
    expect((await webhooks.post('github', push)).status).toBe(202);
    const refused = await webhooks.post('github', retyped);
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ code: 'WEBHOOK_ID_REUSED' });
    expect((await webhooks.post('github', push)).status).toBe(200);
  });

  it('takes a receipt an earlier build kept (the body’s hash alone) for the same event: a retry adds what is missing, then is a duplicate', async () => {
    const sent = sign.hmac(SECRETS.hmac.current, { id: 'kept-before', type: 'a.b' });
    const event = eventKey('hmac', 'kept-before');
    // What an earlier build's receiver killed after its claim left: that receipt, no deliveries.
    expect(await plantReceipt(event, bodyOnlyHash(Buffer.from(sent.body)), 3_600)).toBe('OK');
    const retry = await webhooks.post('hmac', sent);
    expect(retry.status).toBe(202);
    expect(
      (await webhooks.engine.deliveries.getJob(deliveryKey(event, 'first')))?.data,
    ).toMatchObject({ eventType: 'a.b', body: sent.body });
    const again = await webhooks.post('hmac', sent);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ status: 'duplicate' });
  });

  it('adds, on a resend, the one delivery of several a crash lost, and answers the resend after that a duplicate', async () => {
    // 'both.ways' routes to two destinations; a crash lost one job of the two (removed by hand).
    const sent = sign.hmac(SECRETS.hmac.current, { id: 'half-stored', type: 'both.ways' });
    const event = eventKey('hmac', 'half-stored');
    expect((await webhooks.post('hmac', sent)).status).toBe(202);
    await webhooks.engine.deliveries.remove(deliveryKey(event, 'second'));
    const resend = await webhooks.post('hmac', sent);
    expect(resend.status).toBe(202);
    expect(
      (await webhooks.engine.deliveries.getJob(deliveryKey(event, 'second')))?.data,
    ).toMatchObject({ eventType: 'both.ways', body: sent.body });
    expect((await webhooks.post('hmac', sent)).status).toBe(200);
  });

  // Most requests are read ahead of Express (routes/hooks-ahead.ts), the rest by the route: a body
  // without a length (chunked) and a gzip-encoded one go to the route. Both paths decide alike.
  it('decides a body sent with its length, in chunks or gzip-encoded alike, and echoes the request id', async () => {
    const send = (id: string, { chunked = false, gzip = false, tamper = false } = {}) => {
      const signed = sign.hmac(SECRETS.hmac.current, { id, type: 'thing.happened' });
      const plain = Buffer.from(tamper ? signed.body.replace('}', ',"x":1}') : signed.body);
      const bytes = gzip ? gzipSync(plain) : plain;
      return new Promise<{ status: number; requestId: unknown; body: Record<string, unknown> }>(
        (resolve, reject) => {
          const outgoing = httpRequest(`${webhooks.url}/hooks/hmac`, {
            method: 'POST',
            headers: {
              ...signed.headers,
              'content-type': 'application/json',
              'x-request-id': `req-${id}`,
              ...(gzip ? { 'content-encoding': 'gzip' } : {}),
              ...(chunked ? {} : { 'content-length': String(bytes.length) }),
            },
          });
          outgoing.once('error', reject);
          outgoing.once('response', (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.once('end', () => {
              resolve({
                status: response.statusCode ?? 0,
                requestId: response.headers['x-request-id'],
                body: JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>,
              });
            });
          });
          // In two writes: without a length, the body goes out chunked.
          outgoing.write(bytes.subarray(0, 10));
          outgoing.end(bytes.subarray(10));
        },
      );
    };
    const cases = [
      ['ahead', {}],
      ['chunked', { chunked: true }],
      ['gzip', { gzip: true }],
    ] as const;
    for (const [name, how] of cases) {
      const accepted = await send(`path-${name}`, how);
      expect(accepted, name).toMatchObject({
        status: 202,
        requestId: `req-path-${name}`,
        body: { status: 'accepted', eventId: `path-${name}` },
      });
      expect(await stored('hmac', `path-${name}`), name).toBe(true);
      expect(await send(`path-${name}`, how), name).toMatchObject({
        status: 200,
        body: { status: 'duplicate' },
      });
      const refused = await send(`path-${name}-tampered`, { ...how, tamper: true });
      expect(refused, name).toMatchObject({
        status: 401,
        requestId: `req-path-${name}-tampered`,
        body: { code: 'WEBHOOK_SIGNATURE_INVALID' },
      });
      expect(await stored('hmac', `path-${name}-tampered`), name).toBe(false);
    }
  });

  it('refuses a body over the limit with 413 before reading it, and stores nothing', async () => {
    const signed = sign.hmac(SECRETS.hmac.current, {
      id: 'too-large',
      type: 'thing.happened',
    });
    const response = await webhooks.post('hmac', {
      ...signed,
      body: signed.body.replace('}', `,"pad":"${'x'.repeat(1024 * 1024)}"}`),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(await stored('hmac', 'too-large')).toBe(false);
  });

  it('answers 404 for a source that is not configured', async () => {
    const response = await webhooks.post('nobody', sign.github('x', { id: '1', type: 'push' }));
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 'NOT_FOUND' });
  });
});

// Last in the file (its tests run in order): the counts the suite reports are the matrix's, so a
// case removed, renamed or left undecided fails here rather than shrink the report unseen. It
// reads what the tests above decided: run alone (-t) or shuffled, it fails.
describe('the matrix', () => {
  it('decided every case of every scheme: 6 each, 5 for the set-ups that sign no timestamp', () => {
    const expected = Object.fromEntries(
      NAMES.map((name) => [
        name,
        [
          'valid',
          'tampered',
          'wrong secret',
          'rotated',
          ...(TIMESTAMPED.includes(name) ? ['stale'] : []),
          'replayed',
        ].sort(),
      ]),
    );
    const decidedCases = Object.fromEntries(
      NAMES.map((name) => [name, Object.keys(tally[name] ?? {}).sort()]),
    );
    expect(decidedCases).toEqual(expected);
    expect(Object.values(decidedCases).flat()).toHaveLength(33);
  });
});
