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

  it('refuses an answer in another shape (502 UPSTREAM_ERROR) instead of passing it on', async () => {
    const { client } = answering(200, { total: '1', items: [{ ...letter, attempts: 'five' }] });
    const error = await refusal(client.list({}, { limit: 20 }));
    expect(error.status).toBe(502);
    expect(error.code).toBe('UPSTREAM_ERROR');
    expect(error.message).toContain('/dead-letters');

    const replay = answering(200, { dryRun: true, matched: 3 });
    expect((await refusal(replay.client.replayMatching({}, true))).code).toBe('UPSTREAM_ERROR');
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
