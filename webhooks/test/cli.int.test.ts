// `npm run webhooks -- dead-letters …` as on-call runs it: a real process straight on the queue's
// Redis. Dead letters made by a destination that refuses; listed by filter, counted by a dry run,
// one replayed, then the rest in bulk — the destination gets each once more, with the same
// Idempotency-Key.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requireRedis } from '@manifold/platform/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { REPO_ROOT } from '../../test/e2e/support/processes.ts';
import { sign } from './signers.ts';
import { startSink, startWebhooks, type Sink, type TestWebhooks } from './support.ts';

const SECRET = 'gh-cli';
const run = promisify(execFile);
let refusing: Sink;
let webhooks: TestWebhooks;
let redisUrl: string;
const cli = async (...args: string[]) => {
  const { stdout } = await run(
    process.execPath,
    [join(REPO_ROOT, 'webhooks/src/cli.ts'), 'dead-letters', ...args],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        WEBHOOKS_REDIS_URL: redisUrl,
        WEBHOOKS_QUEUE_PREFIX: webhooks.engine.prefix,
      },
    },
  );
  return JSON.parse(stdout) as unknown;
};
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
  for (const id of ['cli-1', 'cli-2'])
    expect((await webhooks.post('github', sign.github(SECRET, { id, type: 'push' }))).status).toBe(
      202,
    );
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
  it('lists dead letters by filter, counts a bulk replay in a dry run, replays one, then the rest in bulk', async () => {
    const listed = (await cli('list', '--destination', 'refusing')) as {
      total: number;
      items: { id: string }[];
    };
    expect(listed.total).toBe(2);
    expect(await cli('list', '--destination', 'elsewhere')).toMatchObject({ total: 0 });
    expect(await cli('replay', '--all', '--dry-run')).toMatchObject({ matched: 2 });
    const [first] = listed.items;
    if (!first) throw new Error('no dead letter listed');
    await cli('replay', first.id);
    await vi.waitFor(
      () => {
        expect(refusing.requests.get(first.id)).toBe(2);
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(refusing.effects.has(first.id)).toBe(true);
    expect((await webhooks.deadLetters.list({}, { limit: 10 })).total).toBe(1);

    // The rest in bulk: the one left is sent again, with its key, and none is left.
    expect(await cli('replay', '--all', '--destination', 'refusing')).toMatchObject({
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
