// `npm run webhooks -- …` as on-call runs it: a real process straight on the queue's Redis.
// Dead letters made by a destination that refuses; listed by filter, counted by a dry run, one
// replayed, then the rest in bulk — the destination gets each once more, with the same
// Idempotency-Key. A letter shown with its attempts and payload; a paused destination resumed and
// a disabled endpoint enabled, each then delivered to again.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requireRedis } from '@manifold/platform/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { REPO_ROOT } from '../../test/e2e/support/processes.ts';
import { deliveryKey, eventKey } from '../src/engine/ids.ts';
import { sign, standardSecret, type SignedDelivery } from './signers.ts';
import { deliveryOf, startSink, startWebhooks, type Sink, type TestWebhooks } from './support.ts';

const SECRET = 'gh-cli';
const run = promisify(execFile);
let refusing: Sink;
let webhooks: TestWebhooks;
let redisUrl: string;
/** The CLI on `service`'s queue and webhooks file; its JSON answer (rejects with its exit code and stderr). */
const cli = async (service: TestWebhooks, ...args: string[]) => {
  const { stdout } = await run(
    process.execPath,
    [join(REPO_ROOT, 'webhooks/src/cli.ts'), ...args],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        WEBHOOKS_REDIS_URL: redisUrl,
        WEBHOOKS_QUEUE_PREFIX: service.engine.prefix,
        WEBHOOKS_FILE: service.file,
      },
    },
  );
  return JSON.parse(stdout) as unknown;
};
/** How the CLI refuses a name or id it does not know: exit 1, the error's code first. */
const notFound = { code: 1, stderr: expect.stringMatching(/^NOT_FOUND: /) };
beforeAll(async () => {
  redisUrl = await requireRedis();
  // Refuses the first request per key (a dead letter at once), accepts the replay.
  refusing = await startSink(({ attempt }) => ({ status: attempt === 1 ? 422 : 200 }));
  webhooks = await startWebhooks({
    redisUrl,
    file: {
      sources: { github: { scheme: 'github', secrets: ['GITHUB_SECRET'] } },
      destinations: { refusing: { url: refusing.url } },
      routes: [{ source: 'github', to: ['refusing'] }],
    },
    secrets: { GITHUB_SECRET: SECRET },
  });
  webhooks.startWorkers();
  for (const [id, type] of [
    ['cli-1', 'push'],
    ['cli-2', 'issues'],
  ] as const)
    expect((await webhooks.post('github', sign.github(SECRET, { id, type }))).status).toBe(202);
  await vi.waitFor(
    async () => {
      expect((await webhooks.deadLetters.list({}, { limit: 10 })).total).toBe(2);
    },
    { timeout: 10_000, interval: 100 },
  );
});
afterAll(async () => {
  await webhooks.close();
  await refusing.close();
});

describe('the webhooks CLI', () => {
  // Before the replays below, which leave no dead letter to filter.
  it('filters the dead letters by each flag alone, and by all of them together', async () => {
    const { items } = (await cli(webhooks, 'dead-letters', 'list')) as {
      items: { receivedAt: string; error: string }[];
    };
    expect(items).toHaveLength(2);
    const received = items.map(({ receivedAt }) => Date.parse(receivedAt)).sort((a, b) => a - b);
    const at = (ms: number) => new Date(ms).toISOString();
    const [earliest, latest] = [at(received[0]!), at(received.at(-1)! + 1)];
    expect(items.map(({ error }) => error)).toEqual([
      expect.stringContaining('422'),
      expect.stringContaining('422'),
    ]);
    // Each flag set to match both letters, one, or none; `--to` is exclusive, `--from` inclusive.
    const cases: [flags: string[], matched: number][] = [
      [['--source', 'github'], 2],
      [['--source', 'stripe'], 0],
      [['--event-type', 'issues'], 1],
      [['--event-type', 'pull_request'], 0],
      [['--destination', 'elsewhere'], 0],
      [['--from', earliest], 2],
      [['--from', latest], 0],
      [['--to', latest], 2],
      [['--to', earliest], 0],
      [['--error', '422'], 2],
      [['--error', 'ECONNREFUSED'], 0],
      [
        [
          ...['--source', 'github', '--event-type', 'push', '--destination', 'refusing'],
          ...['--from', earliest, '--to', latest, '--error', '422'],
        ],
        1,
      ],
    ];
    const totals = await Promise.all(
      cases.map(
        async ([flags]) =>
          ((await cli(webhooks, 'dead-letters', 'list', ...flags)) as { total: number }).total,
      ),
    );
    expect(totals).toEqual(cases.map(([, matched]) => matched));
    // A bulk replay's dry run takes the same flags.
    expect(
      await cli(webhooks, 'dead-letters', 'replay', '--all', '--dry-run', '--event-type', 'issues'),
    ).toMatchObject({ dryRun: true, matched: 1 });
  });

  it('lists dead letters by filter, counts a bulk replay in a dry run, replays one, then the rest in bulk', async () => {
    const listed = (await cli(webhooks, 'dead-letters', 'list', '--destination', 'refusing')) as {
      total: number;
      items: { id: string }[];
    };
    expect(listed.total).toBe(2);
    expect(await cli(webhooks, 'dead-letters', 'list', '--destination', 'elsewhere')).toMatchObject(
      { total: 0 },
    );
    expect(await cli(webhooks, 'dead-letters', 'replay', '--all', '--dry-run')).toMatchObject({
      matched: 2,
    });
    const [first] = listed.items;
    if (!first) throw new Error('no dead letter listed');
    await cli(webhooks, 'dead-letters', 'replay', first.id);
    await vi.waitFor(
      () => {
        expect(refusing.requests.get(first.id)).toBe(2);
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(refusing.effects.has(first.id)).toBe(true);
    expect((await webhooks.deadLetters.list({}, { limit: 10 })).total).toBe(1);

    // A bulk replay without --send is a dry run, as the API's: it counts, and sends nothing.
    expect(
      await cli(webhooks, 'dead-letters', 'replay', '--all', '--destination', 'refusing'),
    ).toMatchObject({ dryRun: true, matched: 1, replayed: 0 });
    expect(await webhooks.deadLetters.count()).toBe(1);
    expect([...refusing.requests.values()].sort((a, b) => a - b)).toEqual([1, 2]);
    await expect(
      cli(webhooks, 'dead-letters', 'replay', '--all', '--send', '--dry-run'),
    ).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/choose one/) });
    // A bulk replay's flags on one letter: refused, not taken for a dry run that sends.
    const [left] = (
      (await cli(webhooks, 'dead-letters', 'list', '--destination', 'refusing')) as {
        items: { id: string }[];
      }
    ).items;
    await expect(
      cli(webhooks, 'dead-letters', 'replay', left!.id, '--dry-run'),
    ).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/for a bulk replay/) });
    expect(await webhooks.deadLetters.count()).toBe(1);

    // The rest in bulk: the one left is sent again, with its key, and none is left.
    expect(
      await cli(webhooks, 'dead-letters', 'replay', '--all', '--send', '--destination', 'refusing'),
    ).toMatchObject({
      dryRun: false,
      matched: 1,
      replayed: 1,
    });
    await vi.waitFor(
      () => {
        expect(refusing.effects.size).toBe(2);
      },
      { timeout: 10_000, interval: 100 },
    );
    expect([...refusing.requests.values()]).toEqual([2, 2]);
    expect(await webhooks.deadLetters.count()).toBe(0);
  });
});

describe('the webhooks CLI on what failures stopped: a dead letter, a paused destination, a disabled endpoint', () => {
  const MANIFOLD_SECRET = standardSecret('cli-manifold');
  /** Fails once (503, retried), then refuses (422): a dead letter after two attempts. */
  let refusingLater: Sink;
  /** Unavailable (503) until the test lets it recover: its first failure pauses its destination. */
  let unavailable: Sink;
  /** A customer's endpoint refusing (422) until the test lets it recover: its first dead letter disables it. */
  let erp: Sink;
  let service: TestWebhooks;
  beforeAll(async () => {
    refusingLater = await startSink(({ attempt }) => ({ status: attempt === 1 ? 503 : 422 }));
    unavailable = await startSink(() => ({ status: 503 }));
    erp = await startSink(() => ({ status: 422 }));
    service = await startWebhooks({
      redisUrl,
      file: {
        sources: {
          github: { scheme: 'github', secrets: ['GITHUB_SECRET'] },
          manifold: { scheme: 'standard-webhooks', secrets: ['MANIFOLD_SECRET'] },
        },
        destinations: {
          'refusing-later': { url: refusingLater.url },
          unavailable: {
            url: unavailable.url,
            breaker: { failures: 1, coolDownSeconds: 60, pauseAfterOpenings: 1 },
          },
        },
        routes: [
          { source: 'github', events: ['push'], to: ['refusing-later'] },
          { source: 'github', events: ['deployment'], to: ['unavailable'] },
        ],
        endpoints: { erp: { url: erp.url, events: ['order.*'], secrets: ['ERP_SECRET'] } },
      },
      secrets: {
        GITHUB_SECRET: SECRET,
        MANIFOLD_SECRET,
        ERP_SECRET: standardSecret('cli-erp'),
      },
      disableRule: { afterDeadLetters: 1, afterMs: 3_600_000 },
    });
    service.startWorkers();
  });
  afterAll(async () => {
    await service.close();
    await Promise.all([refusingLater, unavailable, erp].map((sink) => sink.close()));
  });
  /** Posts a signed event, accepted (202). */
  const accepted = async (source: string, signed: SignedDelivery) => {
    expect((await service.post(source, signed)).status).toBe(202);
    return signed;
  };
  const order = (id: string) => sign.standard(MANIFOLD_SECRET, { id, type: 'order.created' });
  const waitFor = (check: () => unknown) => vi.waitFor(check, { timeout: 10_000, interval: 50 });

  it('dead-letters show prints a letter with every attempt and the payload as sent; an unknown id is NOT_FOUND', async () => {
    const signed = await accepted('github', sign.github(SECRET, { id: 'cli-show', type: 'push' }));
    const id = await deliveryOf(service, 'cli-show', 'failed');
    expect(await cli(service, 'dead-letters', 'show', id)).toMatchObject({
      id,
      idempotencyKey: id,
      source: 'github',
      eventId: 'cli-show',
      eventType: 'push',
      destination: 'refusing-later',
      attempts: 2,
      payload: signed.body,
      history: [
        { attempt: 1, status: 503, response: 'status 503' },
        { attempt: 2, status: 422, response: 'status 422' },
      ],
    });
    await expect(cli(service, 'dead-letters', 'show', 'no-such-letter')).rejects.toMatchObject(
      notFound,
    );
  });

  it('destinations resume makes a paused destination active again, and its held delivery goes out', async () => {
    await accepted('github', sign.github(SECRET, { id: 'cli-held', type: 'deployment' }));
    const key = deliveryKey(eventKey('github', 'cli-held'), 'unavailable');
    const state = async () =>
      (await service.destinationStates.list()).find(({ name }) => name === 'unavailable');
    // Paused at its first failure; the delivery held (delayed, not failed), nothing more sent.
    await waitFor(async () => {
      expect(await state()).toMatchObject({ state: 'paused' });
      expect(await service.engine.deliveries.getJobState(key)).toBe('delayed');
    });
    expect(unavailable.sent()).toBe(1);

    unavailable.answer.current = () => ({ status: 200 });
    expect(await cli(service, 'destinations', 'resume', 'unavailable')).toMatchObject({
      name: 'unavailable',
      state: 'active',
      consecutiveOpenings: 0,
    });
    expect(await state()).toMatchObject({ state: 'active' });
    await waitFor(() => {
      expect(unavailable.effects.has(key)).toBe(true);
    });
    expect(unavailable.requests.get(key)).toBe(2);
    await expect(cli(service, 'destinations', 'resume', 'nope')).rejects.toMatchObject(notFound);
  });

  it('endpoints enable re-enables a disabled endpoint: the next event is delivered to it', async () => {
    await accepted('manifold', order('cli-refused'));
    await waitFor(async () => {
      expect(await service.endpointStates.disabled('erp')).toMatchObject({ disabled: true });
    });
    // Disabled: an event is a dead letter at once, not sent.
    await accepted('manifold', order('cli-while-disabled'));
    await deliveryOf(service, 'cli-while-disabled', 'failed');
    expect(erp.sent()).toBe(1);

    erp.answer.current = () => ({ status: 204 });
    expect(await cli(service, 'endpoints', 'enable', 'erp')).toMatchObject({
      name: 'erp',
      disabled: false,
      consecutiveDeadLetters: 0,
    });
    expect(await service.endpointStates.list()).toMatchObject([{ name: 'erp', disabled: false }]);
    await accepted('manifold', order('cli-enabled'));
    await deliveryOf(service, 'cli-enabled', 'completed');
    expect(erp.sent()).toBe(2);
    await expect(cli(service, 'endpoints', 'enable', 'nope')).rejects.toMatchObject(notFound);
  });
});
