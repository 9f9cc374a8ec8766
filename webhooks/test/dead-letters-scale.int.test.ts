// The dead-letter queue at scale: thousands of dead letters (made by BullMQ failing real jobs of
// the deliveries queue), listed a page at a time newest failure first without repeats or gaps,
// filtered and counted from each letter's summary (never its payload), and replayed by filter with
// a dry run that names the first to be sent.
import { randomUUID } from 'node:crypto';
import { requireRedis } from '@manifold/platform/testing';
import { UnrecoverableError, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DeadLetter, DeadLetterDetail } from '@manifold/platform/contracts';
import { createDeadLetters } from '../src/dead-letters/dead-letters.ts';
import { createEngine, DELIVERIES_QUEUE, type Engine } from '../src/engine/queues.ts';

const LETTERS = 3_000;
const DESTINATIONS = ['crm', 'chat', 'books'];
const TYPES = ['invoice.paid', 'customer.created'];
const START = Date.parse('2026-12-01T00:00:00.000Z');

let engine: Engine;
let worker: Worker;

/** Letter n: received n seconds after START, to a destination and of a type by n. */
const job = (n: number) => ({
  source: 'stripe',
  eventId: `evt_${n}`,
  eventType: TYPES[n % TYPES.length]!,
  receivedAt: new Date(START + n * 1_000).toISOString(),
  contentType: 'application/json',
  body: JSON.stringify({ id: `evt_${n}`, padding: 'p'.repeat(2_000) }),
  destination: DESTINATIONS[n % DESTINATIONS.length]!,
  idempotencyKey: `stripe-${n}-${DESTINATIONS[n % DESTINATIONS.length]!}`,
});

beforeAll(async () => {
  engine = createEngine({ url: await requireRedis(), prefix: `{webhooks-test-${randomUUID()}}` });
  await engine.ready(10_000);
  const jobs = Array.from({ length: LETTERS }, (_, n) => job(n));
  for (let at = 0; at < jobs.length; at += 500)
    await engine.deliveries.addBulk(
      jobs.slice(at, at + 500).map((data) => ({
        name: 'deliver',
        data,
        opts: { jobId: data.idempotencyKey, attempts: 1, removeOnFail: false },
      })),
    );
  // Every delivery fails for good, as a destination answering 400 would make it.
  worker = new Worker<ReturnType<typeof job>>(
    DELIVERIES_QUEUE,
    (current) => {
      const { destination } = current.data;
      return Promise.reject(
        new UnrecoverableError(`HTTP ${destination === 'books' ? 422 : 400} from ${destination}`),
      );
    },
    { connection: engine.workerConnection, prefix: engine.prefix, concurrency: 200 },
  );
  await vi.waitFor(
    async () => {
      expect(await engine.deliveries.getFailedCount()).toBe(LETTERS);
    },
    { timeout: 60_000, interval: 200 },
  );
}, 90_000);
afterAll(async () => {
  await worker.close();
  await engine.deliveries.obliterate({ force: true });
  await engine.close();
});

describe('dead letters at scale', () => {
  it('lists every dead letter once, newest failure first, a page at a time', async () => {
    const deadLetters = createDeadLetters(engine);
    const seen: DeadLetter[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await deadLetters.list({}, { limit: 700, cursor });
      expect(page.total).toBe(LETTERS);
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== undefined);
    expect(pages).toBe(Math.ceil(LETTERS / 700));
    expect(new Set(seen.map((letter) => letter.id)).size).toBe(LETTERS);
    const failedAt = seen.map((letter) => Date.parse(letter.failedAt!));
    expect(failedAt).toEqual([...failedAt].sort((a, b) => b - a));
    expect(seen[0]).toMatchObject({ source: 'stripe', attempts: 1 });
  });

  it('filters and counts from the summaries, without reading payloads', async () => {
    const deadLetters = createDeadLetters(engine);
    const filter = {
      destination: 'books',
      eventType: 'customer.created',
      from: new Date(START + 600_000).toISOString(),
      to: new Date(START + 2_400_000).toISOString(),
      error: 'HTTP 422',
    };
    // n in [600, 2400) with n % 3 == 2 (books) and n odd (customer.created): n ≡ 5 (mod 6).
    const expected = Array.from({ length: 1_800 }, (_, i) => 600 + i).filter((n) => n % 6 === 5);
    const first = await deadLetters.list(filter, { limit: 100 });
    expect(first.total).toBe(expected.length);
    expect(first.items).toHaveLength(100);
    const second = await deadLetters.list(filter, { limit: 1_000, cursor: first.nextCursor });
    expect(second.total).toBe(expected.length);
    expect(second.nextCursor).toBeUndefined();
    const ids = [...first.items, ...second.items].map((letter) => letter.eventId).sort();
    expect(ids).toEqual(expected.map((n) => `evt_${n}`).sort());

    // A payload that no longer parses does not matter to a listing: it reads summaries only.
    const broken = job(expected[0]!).idempotencyKey;
    await engine.redis.hset(engine.deliveries.toKey(broken), 'data', '{not json');
    expect((await deadLetters.list(filter, { limit: 1_000 })).total).toBe(expected.length);
  });

  it('refuses a cursor it did not give as a caller’s mistake', async () => {
    await expect(
      createDeadLetters(engine).list({}, { cursor: 'bm90IGEgY3Vyc29y' }),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('replays by filter after a dry run that counts and names the first to be sent', async () => {
    const deadLetters = createDeadLetters(engine);
    const filter = { destination: 'chat', to: new Date(START + 300_000).toISOString() };
    const chat = Array.from({ length: 300 }, (_, n) => n).filter((n) => n % 3 === 1);
    const dry = await deadLetters.replayMatching(filter, { dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, matched: chat.length, replayed: 0 });
    // Oldest event first, the order a replay sends them in.
    expect(dry.first.map((letter) => letter.eventId)).toEqual(
      chat.slice(0, 20).map((n) => `evt_${n}`),
    );
    expect(await engine.deliveries.getFailedCount()).toBe(LETTERS);

    const replay = await deadLetters.replayMatching(filter, { dryRun: false });
    expect(replay).toMatchObject({ dryRun: false, matched: chat.length, replayed: chat.length });
    // The worker fails them again: back in the queue, then dead again with a fresh failure time.
    await vi.waitFor(
      async () => {
        const again = await deadLetters.list(filter, { limit: 1 });
        expect(again.total).toBe(chat.length);
        expect(again.items[0]!.failedAt! > dry.first.at(-1)!.failedAt!).toBe(true);
      },
      { timeout: 20_000, interval: 200 },
    );
  });

  /** Adds a delivery job holding `data` as it is, and waits for the worker to fail it: its id. */
  const deadLetterOf = async (data: unknown): Promise<string> => {
    const id = randomUUID();
    await engine.deliveries.add('deliver', data as never, {
      jobId: id,
      attempts: 1,
      removeOnFail: false,
    });
    await vi.waitFor(
      async () => {
        expect(await engine.deliveries.getJobState(id)).toBe('failed');
      },
      { timeout: 10_000, interval: 50 },
    );
    return id;
  };

  /** An inspected letter as a listing shows it: all but its payload and history. */
  const asListed = ({
    contentType: _type,
    payload: _payload,
    history: _history,
    ...summary
  }: DeadLetterDetail): DeadLetter => summary;

  it('inspects a letter whose job is in another shape as it lists it: what it holds, the rest empty', async () => {
    const deadLetters = createDeadLetters(engine);
    // Written by another build or service into the same queue: a source, a body that is no string.
    const id = await deadLetterOf({ source: 'legacy', body: 7 });
    const inspected = await deadLetters.get(id);
    expect(inspected).toMatchObject({
      id,
      source: 'legacy',
      eventId: '',
      eventType: '',
      destination: '',
      idempotencyKey: '',
      receivedAt: '',
      contentType: '',
      payload: '',
      attempts: 1,
      error: 'HTTP 400 from undefined',
    });
    const listed = (await deadLetters.list({ source: 'legacy' }, { limit: 10 })).items;
    expect(listed).toEqual([asListed(inspected)]);

    // Data that is no object at all: shown empty, and replayed (the worker fails it again).
    const bare = await deadLetterOf(null);
    expect(await deadLetters.get(bare)).toMatchObject({ id: bare, source: '', payload: '' });
    expect(await deadLetters.replay(bare)).toMatchObject({ id: bare });
  });

  it('inspects a letter whose data is not JSON from its hash, and never replays it', async () => {
    const deadLetters = createDeadLetters(engine);
    const destination = `unreadable-${randomUUID()}`;
    const id = await deadLetterOf({ destination });
    // BullMQ parses a job's data on every read: this one it cannot read at all.
    await engine.redis.hset(engine.deliveries.toKey(id), 'data', '<order>not json</order>');
    const inspected = await deadLetters.get(id);
    expect(inspected).toMatchObject({
      id,
      source: '',
      destination: '',
      contentType: '',
      payload: '<order>not json</order>',
      attempts: 1,
      error: `HTTP 400 from ${destination}`,
    });
    expect((await deadLetters.list({ error: destination }, { limit: 10 })).items).toEqual([
      asListed(inspected),
    ]);

    await expect(deadLetters.replay(id)).rejects.toMatchObject({ code: 'DEAD_LETTER_UNREADABLE' });
    // The dry run says what the replay does: matched, held back, none to send.
    expect(
      await deadLetters.replayMatching({ error: destination }, { dryRun: true }),
    ).toMatchObject({ matched: 1, held: 1, replayed: 0, first: [] });
    expect(
      await deadLetters.replayMatching({ error: destination }, { dryRun: false }),
    ).toMatchObject({ matched: 1, held: 1, replayed: 0 });
    expect(await engine.deliveries.getJobState(id)).toBe('failed');
    await expect(deadLetters.replay(randomUUID())).rejects.toMatchObject({ code: 'NOT_FOUND' });

    // A job BullMQ cannot read for another reason (its options) is not such a letter: an error.
    const other = await deadLetterOf({ destination });
    await engine.redis.hset(engine.deliveries.toKey(other), 'opts', '{broken');
    await expect(deadLetters.get(other)).rejects.toBeInstanceOf(SyntaxError);
    await expect(deadLetters.replay(other)).rejects.toBeInstanceOf(SyntaxError);
  });

  it('sends a letter with no time received first, and leaves it out of every time range', async () => {
    const deadLetters = createDeadLetters(engine);
    const source = `older-build-${randomUUID()}`;
    const dated = await deadLetterOf({ source, receivedAt: new Date(START).toISOString() });
    const undated = await deadLetterOf({ source });
    // By failure time the dated letter would go first; by time received, the undated one does.
    const dry = await deadLetters.replayMatching({ source }, { dryRun: true });
    expect(dry.first.map((letter) => letter.id)).toEqual([undated, dated]);
    const ranged = await deadLetters.list({ source, from: new Date(0).toISOString() });
    expect(ranged).toMatchObject({ total: 1, items: [{ id: dated }] });
  });
});
