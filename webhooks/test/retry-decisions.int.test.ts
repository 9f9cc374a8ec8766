// Which answers are retried. A timeout (the destination acted, its answer never came) is retried,
// and a destination honouring Idempotency-Key acts once. A 409 that says when to come back
// (Retry-After: "this Idempotency-Key is still in flight here" — the legacy adapter answers so
// while an earlier attempt of the same delivery is still writing) is retried; a 409 without it is a
// refusal, a dead letter at once. A 408 (the destination gave up waiting for the request) is
// retried like a 5xx, and each one stays in the delivery's attempt history. A destination that
// refuses the connection (nothing listening yet) is retried until it listens.
import { once } from 'node:events';
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort, requireRedis } from '@manifold/platform/testing';
import { attemptsFromLogs } from '../src/delivery/attempts.ts';
import { sign } from './signers.ts';
import { deliveryOf, startSink, startWebhooks, type Sink, type TestWebhooks } from './support.ts';

const SECRET = 'gh-conflict';
let inFlight: Sink;
let refusing: Sink;
let slow: Sink;
let timingOut: Sink;
let webhooks: TestWebhooks;
beforeAll(async () => {
  inFlight = await startSink(({ attempt }) =>
    attempt === 1 ? { status: 409, headers: { 'retry-after': '0' } } : { status: 201 },
  );
  refusing = await startSink(() => ({ status: 409 }));
  // Acts on the first request and never answers it; a later one with the key answers 200.
  slow = await startSink(() => 'hang');
  // Times out reading the first two requests (408), then takes the third.
  timingOut = await startSink(({ attempt }) => (attempt <= 2 ? { status: 408 } : { status: 201 }));
  webhooks = await startWebhooks({
    redisUrl: await requireRedis(),
    file: {
      sources: { github: { scheme: 'github', secrets: ['GITHUB_SECRET'] } },
      destinations: {
        'in-flight': { url: inFlight.url },
        refusing: { url: refusing.url },
        slow: { url: slow.url, timeoutMs: 300 },
        'timing-out': { url: timingOut.url },
      },
      routes: [
        { source: 'github', events: ['push'], to: ['in-flight', 'refusing'] },
        { source: 'github', events: ['release'], to: ['slow'] },
        { source: 'github', events: ['issues'], to: ['timing-out'] },
      ],
    },
    secrets: { GITHUB_SECRET: SECRET },
  });
  webhooks.startWorkers();
});
afterAll(async () => {
  await webhooks.close();
  await inFlight.close();
  await refusing.close();
  await slow.close();
  await timingOut.close();
});

describe('a 409 from a destination', () => {
  it('with Retry-After is retried until delivered; without it is a dead letter after one attempt', async () => {
    const response = await webhooks.post(
      'github',
      sign.github(SECRET, { id: 'c-1', type: 'push' }),
    );
    expect(response.status).toBe(202);
    await vi.waitFor(
      async () => {
        expect(inFlight.effects.size).toBe(1);
        expect((await webhooks.deadLetters.list({}, { limit: 10 })).total).toBe(1);
      },
      { timeout: 10_000, interval: 100 },
    );
    expect([...inFlight.requests.values()]).toEqual([2]);
    expect([...refusing.requests.values()]).toEqual([1]);
    const [letter] = (await webhooks.deadLetters.list({}, { limit: 10 })).items;
    expect(letter).toMatchObject({ destination: 'refusing' });
  });
});

describe('a destination that does not answer in time', () => {
  it('is sent the delivery again, and acts once (it honours Idempotency-Key)', async () => {
    const postedAt = Date.now();
    const response = await webhooks.post(
      'github',
      sign.github(SECRET, { id: 't-1', type: 'release' }),
    );
    expect(response.status).toBe(202);
    await vi.waitFor(
      () => {
        expect([...slow.requests.values()]).toEqual([2]);
      },
      { timeout: 10_000, interval: 100 },
    );
    // The first was applied though its answer came too late; the second applied nothing.
    expect(slow.effects.size).toBe(1);
    expect([...slow.repeats.values()]).toEqual([1]);
    await vi.waitFor(
      async () => {
        expect(await webhooks.engine.deliveries.getCompletedCount()).toBeGreaterThanOrEqual(2);
      },
      { timeout: 10_000, interval: 100 },
    );
    expect((await webhooks.deadLetters.list({ destination: 'slow' }, { limit: 10 })).total).toBe(0);
    // The timed-out attempt is in the history with how long it waited: the destination's timeout.
    const delivery = await deliveryOf(webhooks, 't-1', 'completed');
    const { logs } = await webhooks.engine.deliveries.getJobLogs(delivery);
    const [timedOut] = attemptsFromLogs(logs);
    expect(timedOut).toMatchObject({
      attempt: 1,
      error: expect.stringMatching(/timeout|timed out/i),
    });
    expect(timedOut!.latencyMs).toBeGreaterThanOrEqual(290);
    expect(timedOut!.latencyMs).toBeLessThan(5_000);
    // …and when it began: after the event was posted, a timeout before the delivery was done.
    const at = Date.parse(timedOut!.at);
    const { finishedOn } = (await webhooks.engine.deliveries.getJob(delivery))!;
    expect(at).toBeGreaterThanOrEqual(postedAt);
    expect(at + timedOut!.latencyMs).toBeLessThanOrEqual(finishedOn!);
  });
});

describe('a 408 from a destination', () => {
  it('is retried until delivered, and the delivery keeps each 408 in its attempt history', async () => {
    const response = await webhooks.post(
      'github',
      sign.github(SECRET, { id: 'rt-1', type: 'issues' }),
    );
    expect(response.status).toBe(202);
    // Done either way (delivered or dead-lettered), so a 408 judged final fails here at once.
    const job = await vi.waitFor(
      async () => {
        const jobs = await webhooks.engine.deliveries.getJobs(['completed', 'failed']);
        const done = jobs.find((candidate) => candidate.data.eventId === 'rt-1');
        if (!done) throw new Error('delivery of rt-1 not done yet');
        return done;
      },
      { timeout: 10_000, interval: 50 },
    );
    expect(await job.getState()).toBe('completed');
    expect([...timingOut.requests.values()]).toEqual([3]);
    expect(timingOut.effects.size).toBe(1);
    // The history: the failed attempts in the job's log, the successful one its return value.
    const { logs } = await webhooks.engine.deliveries.getJobLogs(job.id!);
    expect(attemptsFromLogs(logs)).toMatchObject([
      { attempt: 1, status: 408, error: 'HTTP 408' },
      { attempt: 2, status: 408, error: 'HTTP 408' },
    ]);
    expect(job.returnvalue).toMatchObject({ status: 201, attempt: { attempt: 3, status: 201 } });
    expect(
      (await webhooks.deadLetters.list({ destination: 'timing-out' }, { limit: 10 })).total,
    ).toBe(0);
  });
});

describe('a destination that refuses the connection', () => {
  it('is retried (a network error is transient) and delivered once it listens, with the refusal in the history', async () => {
    const port = await freePort();
    // Retries up to 2 s apart: time to start listening after the first refusal.
    const patient = await startWebhooks({
      redisUrl: await requireRedis(),
      file: {
        sources: { github: { scheme: 'github', secrets: ['GITHUB_SECRET'] } },
        destinations: { later: { url: `http://127.0.0.1:${port}/events` } },
        routes: [{ source: 'github', to: ['later'] }],
      },
      secrets: { GITHUB_SECRET: SECRET },
      schedule: [2_000, 2_000, 2_000],
    });
    let received = 0;
    const server = createServer((req, res) => {
      req.resume();
      received++;
      res.writeHead(200).end();
    });
    try {
      patient.startWorkers();
      const response = await patient.post(
        'github',
        sign.github(SECRET, { id: 'nw-1', type: 'push' }),
      );
      expect(response.status).toBe(202);
      await vi.waitFor(
        async () => {
          const [job] = await patient.engine.deliveries.getJobs(['delayed', 'waiting', 'active']);
          if (job?.id === undefined) throw new Error('no delivery waiting for a retry yet');
          const { logs } = await patient.engine.deliveries.getJobLogs(job.id);
          expect(attemptsFromLogs(logs)[0]?.error).toMatch(/^network error/);
        },
        { timeout: 10_000, interval: 20 },
      );
      server.listen(port, '127.0.0.1');
      await once(server, 'listening');
      const id = await deliveryOf(patient, 'nw-1', 'completed');
      expect(received).toBe(1);
      const { logs } = await patient.engine.deliveries.getJobLogs(id);
      const refused = attemptsFromLogs(logs);
      expect(refused.length).toBeGreaterThanOrEqual(1);
      expect(refused.every((attempt) => attempt.error?.startsWith('network error'))).toBe(true);
      expect(await patient.deadLetters.count()).toBe(0);
    } finally {
      await patient.close();
      server.closeAllConnections();
      server.close();
    }
  });
});
