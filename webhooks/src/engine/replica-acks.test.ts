import { EventEmitter } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from '@manifold/platform/logging';
import type { Redis } from 'ioredis';
import { describe, expect, it, vi } from 'vitest';
import type { FanOutOutcome } from '../delivery/fan-out.ts';
import { afterReplicas, createReplicaAcks, ReplicasBehind } from './replica-acks.ts';

/**
 * The producers' connection and the one it duplicates for the acks, both up and reaching the server
 * `runId`: the latter records each command, and each WAIT answers when the test says (`answer(n)`:
 * n replicas acknowledged; `fail()`: an error).
 */
function fakeRedis(runId = { producers: 'a1', connection: 'a1' }) {
  const producers = new EventEmitter();
  const connection = new EventEmitter();
  const sent: string[] = [];
  const waits: PromiseWithResolvers<number>[] = [];
  const info = (id: string) => () => Promise.resolve(`# Server\r\nrun_id:${id}\r\n`);
  Object.assign(connection, {
    status: 'ready',
    info: info(runId.connection),
    set: (key: string) => {
      sent.push(`SET ${key}`);
      return Promise.resolve('OK');
    },
    wait: (...args: unknown[]) => {
      sent.push(['WAIT', ...args].join(' '));
      const wait = Promise.withResolvers<number>();
      waits.push(wait);
      return wait.promise;
    },
    disconnect: () => undefined,
  });
  Object.assign(producers, {
    status: 'ready',
    info: info(runId.producers),
    duplicate: () => connection,
  });
  /** The oldest WAIT not answered yet, once sent. */
  const oldest = async () => {
    await vi.waitFor(() => {
      expect(waits.length).toBeGreaterThan(0);
    });
    return waits.shift();
  };
  return {
    producers: producers as unknown as Redis,
    connection,
    sent,
    answer: async (acknowledged: number) => (await oldest())?.resolve(acknowledged),
    fail: async () => (await oldest())?.reject(new Error('NOPERM')),
  };
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

  it('rejects a batch whose fence or WAIT failed, warning once, and still sends the next', async () => {
    const { producers, answer, fail } = fakeRedis();
    const log = logger();
    const acks = createReplicaAcks(producers, { ...OPTIONS, logger: log });
    for (let turn = 0; turn < 2; turn++) {
      const refused = acks.replicated(acks.ticket());
      await fail();
      await expect(refused).rejects.toThrow('NOPERM');
      await nextTurn();
    }
    expect(log.warn).toHaveBeenCalledTimes(1);
    const accepted = acks.replicated(acks.ticket());
    await answer(2);
    await expect(accepted).resolves.toBeUndefined();
  });

  it('refuses every event while its two connections reach different servers (run_id), and will not start', async () => {
    const { producers, answer } = fakeRedis({ producers: 'a1', connection: 'b2' });
    const acks = createReplicaAcks(producers, { ...OPTIONS, logger: logger() });
    await expect(acks.start(1_000)).rejects.toThrow(/do not reach one server/);
    const refused = acks.replicated(acks.ticket());
    await answer(2);
    await expect(refused).rejects.toThrow(/not known to reach one server/);
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
      // Once the connection is up again (and its server known), one taken after is answered.
      (which === 'producers'
        ? (redis.producers as unknown as EventEmitter)
        : redis.connection
      ).emit('ready');
      await nextTurn();
      const accepted = acks.replicated(acks.ticket());
      await redis.answer(2);
      await expect(accepted, which).resolves.toBeUndefined();
    }
  });
});

describe('afterReplicas', () => {
  it('waits, with a ticket taken before the write, for a stored event and a duplicate; not for an id reused', async () => {
    const calls: string[] = [];
    const acks = {
      ticket: () => {
        calls.push('ticket');
        return 7;
      },
      replicated: (ticket: number) => {
        calls.push(`replicated ${String(ticket)}`);
        return Promise.resolve();
      },
    };
    for (const outcome of ['stored', 'duplicate', 'id-reused'] as FanOutOutcome[]) {
      calls.length = 0;
      const fanOut = afterReplicas(() => {
        calls.push('write');
        return Promise.resolve(outcome);
      }, acks);
      expect(await fanOut('event', {} as never, {} as never), outcome).toBe(outcome);
      expect(calls, outcome).toEqual(
        outcome === 'id-reused' ? ['ticket', 'write'] : ['ticket', 'write', 'replicated 7'],
      );
    }
  });
});
