// `npm start` on a machine without redis-server and with no Redis configured: the webhooks queue
// has nowhere durable to live, so the launcher says how to install Redis, skips the webhooks
// service and its private Redis, and starts everything else — as it does without PHP.
import { mkdtempSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  expectNothingLeft,
  killLeftoversAfterEachTest,
  launch,
  portAnswers,
  waitUntilUp,
} from './harness.ts';

killLeftoversAfterEachTest();

/**
 * A PATH with every command of this one but `redis-server`: one directory of links, the first of
 * each name winning, as a lookup along the real PATH would.
 */
function pathWithout(command: string): string {
  const shadow = mkdtempSync(join(tmpdir(), 'path-without-redis-'));
  const linked = new Set<string>([command]);
  for (const dir of (process.env['PATH'] ?? '').split(delimiter).filter(Boolean)) {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      continue; // a PATH entry that does not exist
    }
    for (const name of entries) {
      if (linked.has(name)) continue;
      const target = join(dir, name);
      try {
        if (statSync(target).isDirectory()) continue;
      } catch {
        continue; // a dangling link
      }
      symlinkSync(target, join(shadow, name));
      linked.add(name);
    }
  }
  return shadow;
}

describe('npm start without redis-server', () => {
  it('says how to install it, skips the webhooks service and its Redis, starts the rest; Ctrl-C stops every process', async () => {
    const run = await launch({
      via: 'pty',
      // The identity provider and a subgraph beside the webhooks service (which links to both).
      only: ['webhooks', 'users'],
      env: { PATH: pathWithout('redis-server') },
    });
    await waitUntilUp(run);

    const output = run.output();
    expect(output).toContain('redis-server not found');
    expect(output).toContain('apt-get install -y redis-server');
    expect(output).toContain('WEBHOOKS_REDIS_URL');
    for (const skipped of ['webhooks-redis', 'webhooks'])
      expect(await portAnswers(run.ports[skipped]!), skipped).toBe(false);
    for (const started of ['identity-provider', 'users']) {
      const health = await fetch(`http://127.0.0.1:${run.ports[started]}/healthz`);
      expect(health.status, started).toBe(200);
    }

    run.ctrlC();
    await expectNothingLeft(run);
  });
});
