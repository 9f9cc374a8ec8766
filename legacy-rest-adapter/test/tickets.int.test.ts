import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdapter, withRedisReplicas, type Adapter } from './support.ts';

let adapter: Adapter;
beforeAll(async () => {
  adapter = await startAdapter();
});
afterAll(async () => {
  await adapter.close();
});

const send = (method: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
  adapter.request(method, path, { body, headers });
const ticketsOf = async (customerId: number) =>
  (await adapter.get(`/api/v2/tickets?customerId=${customerId}&limit=1`)).body as {
    page: { total: number };
  };

describe('ticket writes through the legacy forms', () => {
  it('creates a ticket once per Idempotency-Key: a repeat replays the first response, another body is refused', async () => {
    const key = randomUUID();
    const before = (await ticketsOf(11)).page.total;
    const created = await send(
      'POST',
      '/api/v2/tickets',
      { customerId: 11, subject: 'Paket fehlt', urgent: true },
      { 'idempotency-key': key },
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      customerId: 11,
      subject: 'Paket fehlt',
      urgent: true,
      status: 'open',
      comments: [],
    });
    expect(created.headers.get('location')).toBe(`/api/v2/tickets/${String(created.body['id'])}`);

    const repeat = await send(
      'POST',
      '/api/v2/tickets',
      { customerId: 11, subject: 'Paket fehlt', urgent: true },
      { 'idempotency-key': key },
    );
    expect(repeat.status).toBe(201);
    expect(repeat.body).toEqual(created.body);
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');
    expect((await ticketsOf(11)).page.total).toBe(before + 1);

    const reused = await send(
      'POST',
      '/api/v2/tickets',
      { customerId: 11, subject: 'Something else' },
      { 'idempotency-key': key },
    );
    expect(reused.status).toBe(422);
    expect(reused.body['code']).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('writes exactly once for concurrent duplicates; the others get 409 while it is in flight', async () => {
    const before = (await ticketsOf(12)).page.total;
    await adapter.plan({ operation: 'ticket_new', mode: 'latency', latencyMs: 400, times: 2 }); // the form and the POST
    const key = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        send(
          'POST',
          '/api/v2/tickets',
          { customerId: 12, subject: 'Doppelt' },
          { 'idempotency-key': key },
        ),
      ),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409, 409, 409, 409]);
    expect(answers.find((answer) => answer.status === 409)?.body['code']).toBe('CONFLICT');
    expect((await ticketsOf(12)).page.total).toBe(before + 1);
  });

  it('writes exactly once for concurrent duplicates spread over two replicas sharing Redis', async () => {
    await withRedisReplicas(
      async (...replicas) => {
        const before = (await ticketsOf(17)).page.total;
        await adapter.plan({ operation: 'ticket_new', mode: 'latency', latencyMs: 400, times: 4 });
        const key = randomUUID();
        const answers = await Promise.all(
          Array.from({ length: 6 }, async (_, i) => {
            const response = await replicas[i % 2]!.request('POST', '/api/v2/tickets', {
              body: { customerId: 17, subject: 'Zwei Repliken' },
              headers: { 'idempotency-key': key },
            });
            const replayed = response.headers.get('idempotent-replayed') === 'true';
            return replayed ? 'replayed' : response.status;
          }),
        );
        // One write; every duplicate was refused while it ran, or replayed once it was done.
        expect(answers.filter((answer) => answer === 201)).toHaveLength(1);
        expect(answers.filter((answer) => answer === 409).length).toBeGreaterThan(0);
        expect(answers.every((answer) => [201, 409, 'replayed'].includes(answer))).toBe(true);
        expect((await ticketsOf(17)).page.total).toBe(before + 1);
        // Once done, either replica replays the first response.
        const replay = await replicas[1].request('POST', '/api/v2/tickets', {
          body: { customerId: 17, subject: 'Zwei Repliken' },
          headers: { 'idempotency-key': key },
        });
        expect(replay.status).toBe(201);
        expect(replay.headers.get('idempotent-replayed')).toBe('true');
      },
      { monolith: adapter.monolith },
    );
  });

  it('keeps a written ticket under its key in Redis: a read-back failing on one replica is finished by another, never posted again', async () => {
    await withRedisReplicas(
      async (a, b) => {
        const before = (await ticketsOf(18)).page.total;
        const key = randomUUID();
        const post = (replica: Adapter) =>
          replica.request('POST', '/api/v2/tickets', {
            body: { customerId: 18, subject: 'Gelesen?' },
            headers: { 'idempotency-key': key },
          });
        await adapter.plan({ operation: 'ticket', mode: 'http503', times: -1 }); // the read-back only
        const failed = await post(a);
        await adapter.plan({ operation: 'ticket', mode: 'http503', times: 0 });
        expect(failed.status).toBe(503);
        expect(failed.body).toMatchObject({ code: 'READ_BACK_FAILED' });
        const posts = await adapter.legacyCalls('ticket_new');
        const finished = await post(b);
        expect(finished.status).toBe(201);
        expect(finished.body['id']).toBe(failed.body['ticketId']);
        expect(finished.headers.get('idempotent-replayed')).toBe('true');
        expect(await adapter.legacyCalls('ticket_new')).toBe(posts); // no form, no post
        expect((await ticketsOf(18)).page.total).toBe(before + 1);
      },
      { monolith: adapter.monolith },
    );
  });

  it('answers a saved ticket whose redirect names none 502 UPSTREAM_ERROR, and writes nothing more for the same key', async () => {
    const key = randomUUID();
    const before = (await ticketsOf(12)).page.total;
    const callsBefore = await adapter.legacyCalls('ticket_new');
    await adapter.plan({ operation: 'ticket_new', mode: 'unnamed-redirect', times: 1 });
    const ticket = { customerId: 12, subject: 'Welche Nummer?' };
    const first = await send('POST', '/api/v2/tickets', ticket, { 'idempotency-key': key });
    expect(first.status).toBe(502);
    expect(first.body).toMatchObject({ code: 'UPSTREAM_ERROR' });
    expect(String(first.body['detail'])).toMatch(/created the ticket/);
    // It was written, once: the list has it.
    expect((await ticketsOf(12)).page.total).toBe(before + 1);
    expect(await adapter.legacyCalls('ticket_new')).toBe(callsBefore + 1);

    const repeat = await send('POST', '/api/v2/tickets', ticket, { 'idempotency-key': key });
    expect(repeat.status).toBe(502);
    expect(repeat.body).toMatchObject({ code: 'UPSTREAM_ERROR' });
    expect(await adapter.legacyCalls('ticket_new')).toBe(callsBefore + 1);
    expect((await ticketsOf(12)).page.total).toBe(before + 1);
  });

  it('requires an Idempotency-Key to open a ticket', async () => {
    const missing = await send('POST', '/api/v2/tickets', { customerId: 13, subject: 'No key' });
    expect(missing.status).toBe(400);
    expect(missing.body['errors']).toEqual([
      { pointer: '/headers/idempotency-key', detail: 'required' },
    ]);
  });

  it('answers a write to a ticket that does not exist 404 NOT_FOUND, not the 502 of a failing monolith', async () => {
    // Found by the REST fuzz: the monolith says "Ticket not found" in a JSON error on a form POST.
    const status = await send('PATCH', '/api/v2/tickets/999999', { status: 'closed' });
    expect(status.status).toBe(404);
    expect(status.body).toMatchObject({ code: 'NOT_FOUND' });
    const comment = await send('POST', '/api/v2/tickets/999999/comments', { body: 'Anyone?' });
    expect(comment.status).toBe(404);
    expect(comment.body).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses a body that is not JSON with 415 (documented), instead of as missing fields', async () => {
    const response = await fetch(`${adapter.url}/api/v2/tickets/1`, {
      method: 'PATCH',
      headers: { 'content-type': 'text/plain' },
      body: 'status=closed',
    });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    const documented = adapter.openApi.paths['/api/v2/tickets/{id}']?.['patch']?.responses;
    expect(Object.keys(documented ?? {})).toEqual(expect.arrayContaining(['413', '415']));
  });

  it("turns the monolith's HTML validation page into 422 with a JSON pointer per field", async () => {
    const rejected = await send(
      'POST',
      '/api/v2/tickets',
      { customerId: 999_999, subject: 'Who?' },
      { 'idempotency-key': randomUUID() },
    );
    expect(rejected.status).toBe(422);
    expect(rejected.body).toMatchObject({
      code: 'UPSTREAM_REJECTED',
      errors: [{ pointer: '/customerId', detail: 'Unknown customer' }],
    });
  });

  it('re-logs in and fetches a new CSRF token when the legacy session expired before a write', async () => {
    await new Promise((resolve) => setTimeout(resolve, 3_100)); // past LEGACY_SESSION_IDLE_SECONDS
    const created = await send(
      'POST',
      '/api/v1/tickets',
      { customerId: 14, subject: 'Nach Pause' },
      { 'idempotency-key': randomUUID() },
    );
    expect(created.status).toBe(201);
  });

  it('never shows a client its own write stale, and comments and status changes land once', async () => {
    const created = await send(
      'POST',
      '/api/v2/tickets',
      { customerId: 15, subject: 'Status' },
      { 'idempotency-key': randomUUID() },
    );
    const id = Number(created.body['id']);
    expect((await adapter.get(`/api/v2/tickets/${id}`)).body['status']).toBe('open'); // now cached
    const closed = await send('PATCH', `/api/v2/tickets/${id}`, { status: 'closed' });
    expect(closed.body['status']).toBe('closed');
    expect((await adapter.get(`/api/v2/tickets/${id}`)).body['status']).toBe('closed');

    const commented = await send('POST', `/api/v2/tickets/${id}/comments`, { body: 'Erledigt' });
    expect(commented.status).toBe(201);
    expect(
      (commented.body['comments'] as { body: string }[]).map((comment) => comment.body),
    ).toEqual(['Erledigt']);

    const invalid = await send('PATCH', `/api/v2/tickets/${id}`, { status: 'reopened' });
    expect(invalid.status).toBe(400);
  });

  it('never retries a legacy POST: a 503 on the write is answered as such, and counted once', async () => {
    const created = await send(
      'POST',
      '/api/v2/tickets',
      { customerId: 16, subject: 'Retry?' },
      { 'idempotency-key': randomUUID() },
    );
    const id = Number(created.body['id']);
    await fetch(`${adapter.monolith.url}/_test/reset`, { method: 'POST' });
    await adapter.plan({ operation: 'ticket_comment', mode: 'http503', times: 1 });
    const failed = await send('POST', `/api/v2/tickets/${id}/comments`, { body: 'Einmal' });
    expect(failed.status).toBe(503);
    expect(await adapter.legacyCalls('ticket_comment')).toBe(1);
    expect((await adapter.get(`/api/v2/tickets/${id}`)).body['comments']).toEqual([]);
  });
});
