import { describe, expect, it } from 'vitest';
import { createWebhooksClient, WebhooksApiError, type AuthorizedFetch } from './webhooks-client.ts';

const letter = {
  id: 'stripe:evt_1-crm',
  source: 'stripe',
  eventId: 'evt_1',
  eventType: 'invoice.paid',
  destination: 'crm',
  idempotencyKey: 'stripe:evt_1-crm',
  receivedAt: '2026-12-05T10:00:00.000Z',
  attempts: 5,
  error: 'HTTP 503',
};

/** A client whose webhooks service answers every call with `body` (a unit test: no network). */
const answering = (status: number, body: unknown) => {
  const calls: string[] = [];
  const send: AuthorizedFetch = (url) => {
    calls.push(url);
    return Promise.resolve(
      new Response(JSON.stringify(body), {
        status,
        headers: { 'content-type': 'application/json' },
      }),
    );
  };
  return { calls, client: createWebhooksClient({ url: 'http://webhooks.test/', send }) };
};

const refusal = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(WebhooksApiError);
  return error as WebhooksApiError;
};

describe('the console’s webhooks client', () => {
  it('returns an answer that matches the API contract, without fields it does not know', async () => {
    const { client, calls } = answering(200, {
      total: 1,
      items: [{ ...letter, addedLater: true }],
      nextCursor: 'c1',
    });
    const page = await client.list({ destination: 'crm' }, { limit: 20 });
    expect(page).toEqual({ total: 1, items: [letter], nextCursor: 'c1' });
    expect(calls).toEqual(['http://webhooks.test/api/v1/dead-letters?destination=crm&limit=20']);
  });

  it('reads an inspection (its attempts) and a replay’s 202 by the contract too', async () => {
    const history = [
      { attempt: 1, at: '2026-12-05T10:00:01.000Z', status: 503, latencyMs: 12, error: 'HTTP 503' },
      { attempt: 2, at: '2026-12-05T10:00:03.000Z', latencyMs: 10_000, error: 'timed out' },
    ];
    const detail = { ...letter, contentType: 'application/json', payload: '{}', history };
    expect(await answering(200, detail).client.get(letter.id)).toEqual(detail);
    expect(await answering(202, letter).client.replay(letter.id)).toEqual(letter);
  });

  it('reads the destinations’ states and a resume by the contract, the name in the path escaped', async () => {
    const paused = {
      name: 'crm',
      state: 'paused',
      pausedAt: '2026-12-05T10:00:00.000Z',
      reason: 'breaker opened 10 times in a row',
      consecutiveFailures: 5,
      consecutiveOpenings: 10,
    };
    const listed = answering(200, { items: [paused] });
    expect(await listed.client.destinations()).toEqual([paused]);
    expect(listed.calls).toEqual(['http://webhooks.test/api/v1/destinations']);
    const active = { ...paused, state: 'active', consecutiveFailures: 0, consecutiveOpenings: 0 };
    const resumed = answering(200, active);
    expect(await resumed.client.resume('a/b')).toEqual(active);
    expect(resumed.calls).toEqual(['http://webhooks.test/api/v1/destinations/a%2Fb/resume']);
    expect(
      await refusal(
        answering(200, { items: [{ name: 'crm', state: 'asleep' }] }).client.destinations(),
      ),
    ).toMatchObject({ status: 502, code: 'UPSTREAM_ERROR' });
  });

  it('reads the endpoints’ states and an enable by the contract', async () => {
    const disabled = {
      name: 'erp',
      disabled: true,
      disabledAt: '2026-12-05T10:00:00.000Z',
      reason: '20 dead letters in a row',
      consecutiveDeadLetters: 20,
    };
    const listed = answering(200, { items: [disabled] });
    expect(await listed.client.endpoints()).toEqual([disabled]);
    expect(listed.calls).toEqual(['http://webhooks.test/api/v1/endpoints']);
    const enabled = { name: 'erp', disabled: false, consecutiveDeadLetters: 0 };
    const answered = answering(200, enabled);
    expect(await answered.client.enable('erp')).toEqual(enabled);
    expect(answered.calls).toEqual(['http://webhooks.test/api/v1/endpoints/erp/enable']);
    expect(
      await refusal(
        answering(200, { items: [{ name: 'erp', disabled: 'yes' }] }).client.endpoints(),
      ),
    ).toMatchObject({ status: 502, code: 'UPSTREAM_ERROR' });
  });

  it('refuses an answer in another shape (502 UPSTREAM_ERROR) instead of passing it on', async () => {
    const { client } = answering(200, { total: '1', items: [{ ...letter, attempts: 'five' }] });
    expect(await refusal(client.list({}, { limit: 20 }))).toMatchObject({
      status: 502,
      code: 'UPSTREAM_ERROR',
    });
    const history = [{ attempt: 'first', at: 'then', latencyMs: 1 }];
    const detail = { ...letter, contentType: 'application/json', payload: '{}', history };
    expect(await refusal(answering(200, detail).client.get(letter.id))).toMatchObject({
      status: 502,
      code: 'UPSTREAM_ERROR',
    });
  });

  it('says a replay whose answer it cannot read was sent', async () => {
    const replayed = await refusal(answering(202, { id: 1 }).client.replay(letter.id));
    const bulk = await refusal(
      answering(200, { dryRun: false, matched: 3 }).client.replayMatching({}, false),
    );
    for (const error of [replayed, bulk]) {
      expect(error).toMatchObject({ status: 502, code: 'UPSTREAM_ERROR' });
      expect(error.message).toMatch(/^Sent, but/);
    }
    // A read is not said to be sent.
    const read = await refusal(answering(200, { total: 1 }).client.list({}, { limit: 1 }));
    expect(read.message).not.toMatch(/^Sent/);
  });

  it('passes on a problem in another shape as its HTTP status, and nothing of it', async () => {
    const error = await refusal(
      answering(400, { code: 7, errors: [{ pointer: 1 }] }).client.list({}, { limit: 20 }),
    );
    expect(error).toMatchObject({ status: 400, code: 'HTTP_400', message: 'HTTP 400', errors: [] });
  });

  it('passes on the API’s own problem (status, code, field errors)', async () => {
    const { client } = answering(400, {
      code: 'VALIDATION_FAILED',
      detail: 'from: not an ISO 8601 time',
      errors: [{ pointer: '/from', detail: 'Invalid ISO datetime' }],
    });
    const error = await refusal(client.list({ from: 'yesterday' }, { limit: 20 }));
    expect(error).toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
      message: 'from: not an ISO 8601 time',
      errors: [{ pointer: '/from', detail: 'Invalid ISO datetime' }],
    });
  });
});
