import { describe, expect, it } from 'vitest';
import { versionProblem } from './redis-check.ts';

// Redis older than 7.0 cannot run the receipts' SET NX GET; none is installed here to start, so
// the rule is checked on the version strings INFO gives (the accepting side also runs for real in
// redis-check.int.test.ts, on this machine's Redis 7).
describe('the queue Redis version rule', () => {
  it('accepts 7.0 and later', () => {
    for (const version of ['7.0.0', '7.0.15', '7.2.4', '8.0.2', '10.1.0'])
      expect(versionProblem(version, 'redis:6379')).toBeUndefined();
  });

  it('refuses older versions, or one it cannot read, naming the Redis and what is needed', () => {
    for (const version of ['6.2.14', '5.0.7', '', 'x.y', undefined])
      expect(versionProblem(version, 'redis:6379')).toMatch(
        /^WEBHOOKS_REDIS_URL: Redis at redis:6379 is version .*needs 7\.0 or later$/,
      );
  });
});
