import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createReplicaAcks, ReplicasBehind } from './replica-acks.ts';

/** A connection whose WAIT answers `acknowledged`, recording each WAIT's arguments. */
function fakeRedis(acknowledged: number) {
  const waits: unknown[][] = [];
  const redis = {
    call: (...args: unknown[]) => {
      waits.push(args);
      return Promise.resolve(acknowledged);
    },
  } as unknown as Redis;
  return { redis, waits };
}

describe('createReplicaAcks', () => {
  it('sends one WAIT for every caller of a turn, and a WAIT of its own for a later turn', async () => {
    const { redis, waits } = fakeRedis(2);
    const replicated = createReplicaAcks(redis, { replicas: 2, timeoutMs: 500 });
    await Promise.all([replicated(), replicated(), replicated()]);
    expect(waits).toEqual([['WAIT', 2, 500]]);
    await nextTurn();
    await replicated();
    expect(waits).toHaveLength(2);
  });

  it('rejects with ReplicasBehind when fewer replicas had the writes within the timeout', async () => {
    const { redis } = fakeRedis(1);
    const replicated = createReplicaAcks(redis, { replicas: 2, timeoutMs: 500 });
    await expect(replicated()).rejects.toBeInstanceOf(ReplicasBehind);
    await expect(replicated()).rejects.toThrow('1 of 2 replicas had the write within 500 ms');
  });
});
