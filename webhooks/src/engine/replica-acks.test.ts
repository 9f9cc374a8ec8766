import { EventEmitter } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from '@manifold/platform/logging';
import type { Redis } from 'ioredis';
import { describe, expect, it, vi } from 'vitest';
import { createReplicaAcks, ReplicasBehind } from './replica-acks.ts';

/**
 * The producers' connection and the one it duplicates for the acks: the latter records each
 * command, and each WAIT answers when the test says (`answer(n)`: n replicas acknowledged).
 */
function fakeRedis() {
  const producers = new EventEmitter();
  const connection = new EventEmitter();
  const sent: string[] = [];
  const waits: ((acknowledged: number) => void)[] = [];
  Object.assign(connection, {
    status: 'ready',
    set: (key: string) => {
      sent.push(`SET ${key}`);
      return Promise.resolve('OK');
    },
    call: (...args: unknown[]) => {
      sent.push(args.join(' '));
      return new Promise<number>((resolve) => waits.push(resolve));
    },
    disconnect: () => undefined,
  });
  Object.assign(producers, { duplicate: () => connection });
  /** Answers the oldest WAIT not answered yet. */
  const answer = async (acknowledged: number) => {
    await vi.waitFor(() => {
      expect(waits.length).toBeGreaterThan(0);
    });
    waits.shift()?.(acknowledged);
  };
  return { producers: producers as unknown as Redis, connection, sent, answer };
}

const logger = () =>
  ({ warn: vi.fn(), info: vi.fn() }) as unknown as Logger & {
    warn: ReturnType<typeof vi.fn>;
    info: ReturnType<typeof vi.fn>;
  };
const OPTIONS = { replicas: 2, timeoutMs: 500, fenceKey: '{q}:replica-fence' };

describe('createReplicaAcks', () => {
  it('sends one fence write, then one WAIT, for every caller of a turn', async () => {
    const { producers, sent, answer } = fakeRedis();
    const acks = createReplicaAcks(producers, { ...OPTIONS, logger: logger() });
    const callers = [1, 2, 3].map(() => acks.replicated(acks.ticket()));
    await answer(2);
    await Promise.all(callers);
    expect(sent).toEqual(['SET {q}:replica-fence', 'WAIT 2 500']);
  });

  it('holds later callers in one batch while a WAIT is in flight, sent once it returns: never a WAIT per turn', async () => {
    const { producers, sent, answer } = fakeRedis();
    const acks = createReplicaAcks(producers, { ...OPTIONS, logger: logger() });
    const first = acks.replicated(acks.ticket());
    await nextTurn();
    expect(sent).toHaveLength(2);
    // Three turns while the first WAIT waits: their callers share the next one.
    const later: Promise<void>[] = [];
    for (let turn = 0; turn < 3; turn++) {
      later.push(acks.replicated(acks.ticket()));
      await nextTurn();
    }
    expect(sent).toHaveLength(2);
    await answer(2);
    await first;
    await answer(2);
    await Promise.all(later);
    expect(sent).toEqual([
      'SET {q}:replica-fence',
      'WAIT 2 500',
      'SET {q}:replica-fence',
      'WAIT 2 500',
    ]);
  });

  it('refuses with ReplicasBehind when fewer replicas acknowledged, warning once until they keep up again', async () => {
    const { producers, answer } = fakeRedis();
    const log = logger();
    const acks = createReplicaAcks(producers, { ...OPTIONS, logger: log });
    for (const acknowledged of [1, 0]) {
      const refused = acks.replicated(acks.ticket());
      await answer(acknowledged);
      await expect(refused).rejects.toBeInstanceOf(ReplicasBehind);
      await nextTurn();
    }
    expect(log.warn).toHaveBeenCalledTimes(1);
    const accepted = acks.replicated(acks.ticket());
    await answer(2);
    await accepted;
    expect(log.info).toHaveBeenCalledTimes(1);
  });

  it('refuses an event whose write came before either connection was re-established, whatever WAIT says', async () => {
    for (const which of ['producers', 'connection'] as const) {
      const redis = fakeRedis();
      const acks = createReplicaAcks(redis.producers, { ...OPTIONS, logger: logger() });
      const ticket = acks.ticket();
      (which === 'producers'
        ? (redis.producers as unknown as EventEmitter)
        : redis.connection
      ).emit('close');
      const refused = acks.replicated(ticket);
      await redis.answer(2);
      await expect(refused, which).rejects.toThrow(/re-established/);
      // One taken after the reconnect is answered as usual.
      await nextTurn();
      const accepted = acks.replicated(acks.ticket());
      await redis.answer(2);
      await expect(accepted, which).resolves.toBeUndefined();
    }
  });
});
