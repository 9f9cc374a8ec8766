import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireRedis } from '@manifold/platform/testing';
import { batchWrites } from '../src/engine/write-batching.ts';

let redis: Redis;
beforeAll(async () => {
  redis = batchWrites(new Redis(await requireRedis(), { maxRetriesPerRequest: 1 }));
  await redis.ping();
});
afterAll(() => {
  redis.disconnect();
});

describe('batchWrites', () => {
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
      // As from separate requests' callbacks in one turn.
      const answers = Array.from({ length: 10 }, (_, index) =>
        index === 0 ? redis.set(key, '0', 'EX', 60) : redis.incr(key),
      );
      expect(writes).toEqual([]);
      expect(await Promise.all(answers)).toEqual(['OK', 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(writes).toEqual([10]);
      // Released by the end of the turn; a later turn's command is a write of its own.
      expect(socket.writableCorked).toBe(0);
      expect(await redis.get(key)).toBe('9');
      expect(writes).toEqual([10, 1]);
    } finally {
      socket._write = write;
      if (writev) socket._writev = writev;
      await redis.del(key);
    }
  });

  it('leaves a connection that is not up alone: its commands fail as they would have', async () => {
    const down = batchWrites(
      new Redis('redis://127.0.0.1:9', {
        lazyConnect: true,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
      }),
    );
    down.on('error', () => undefined);
    await expect(down.get('x')).rejects.toThrow();
    down.disconnect();
  });
});
