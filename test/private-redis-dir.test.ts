import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { redisDataDir } from '../scripts/service-process.ts';
import { REPO_ROOT } from './e2e/support/processes.ts';

describe("the webhooks queue's private Redis under npm start", () => {
  it('keeps its AOF under .data/webhooks-redis, which git ignores, unless WEBHOOKS_REDIS_DIR moves it', () => {
    expect(redisDataDir({})).toBe('.data/webhooks-redis');
    // `git check-ignore` exits 0 for an ignored path (else 1: execFileSync throws).
    execFileSync('git', ['check-ignore', '-q', join(redisDataDir({}), 'appendonlydir', 'x.aof')], {
      cwd: REPO_ROOT,
    });
    expect(redisDataDir({ WEBHOOKS_REDIS_DIR: '/var/lib/manifold/queue' })).toBe(
      '/var/lib/manifold/queue',
    );
  });
});
