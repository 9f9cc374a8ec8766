import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireRedis } from '@manifold/platform/testing';
import { batchWritesThisTurn } from '../src/engine/write-batching.ts';

let redis: Redis;
beforeAll(async () => {
  redis = new Redis(await requireRedis(), { maxRetriesPerRequest: 1 });
  await redis.ping();
});
afterAll(() => {
  redis.disconnect();
});

describe('batchWritesThisTurn', () => {
  it('sends the commands of one turn in one socket write, in order, each answered', async () => {
    const key = `write-batching:${String(process.pid)}:${String(Date.now())}`;
    const writes: number[] = [];
    const socket = redis.stream;
    const writev = socket._writev?.bind(socket);
    const write = socket._write.bind(socket);
    // Counts what reaches the socket's own write calls (corked chunks go out in one writev).
    socket._write = (chunk, encoding, callback) => {
      writes.push(1);
      write(chunk, encoding, callback);
    };
    socket._writev = (chunks, callback) => {
      writes.push(chunks.length);
      writev?.(chunks, callback);
    };
    try {
      // As from separate requests' callbacks in one turn: each call holds what is already held.
      const answers = Array.from({ length: 10 }, (_, index) => {
        batchWritesThisTurn(redis);
        return index === 0 ? redis.set(key, '0', 'EX', 60) : redis.incr(key);
      });
      expect(writes).toEqual([]);
      expect(await Promise.all(answers)).toEqual(['OK', 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(writes).toEqual([10]);
      // Released by the end of the turn: a command issued later without it goes out at once.
      expect(socket.writableCorked).toBe(0);
      await redis.get(key);
      expect(writes).toEqual([10, 1]);
    } finally {
      socket._write = write;
      if (writev) socket._writev = writev;
      await redis.del(key);
    }
  });

  it('leaves a connection that is not up alone: its commands fail as they would have', async () => {
    const down = new Redis('redis://127.0.0.1:9', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    down.on('error', () => undefined);
    batchWritesThisTurn(down);
    await expect(down.get('x')).rejects.toThrow();
    down.disconnect();
  });
});
