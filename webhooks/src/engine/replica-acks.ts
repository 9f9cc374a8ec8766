import { setImmediate } from 'node:timers';
import type { Logger } from '@manifold/platform/logging';
import type { Redis } from 'ioredis';

/** How many replicas must have an event before it is acknowledged, and how long to wait for them. */
export interface ReplicaAcksOptions {
  replicas: number;
  timeoutMs: number;
  /** A key under the queue's prefix, written before each WAIT (see below). */
  fenceKey: string;
  logger: Logger;
}

/** Fewer replicas than required had the writes within the timeout: nothing may be acknowledged. */
export class ReplicasBehind extends Error {
  override name = 'ReplicasBehind';
}

/**
 * WEBHOOKS_ACK_REPLICAS: waits, before an event is acknowledged, until `replicas` replicas have
 * received it (Redis `WAIT`), or refuses it (ReplicasBehind) after `timeoutMs`. Redis answers a
 * write once it is in its own AOF and sends it to its replicas without waiting: a failover in
 * between would lose an acknowledged event.
 *
 * - `WAIT` counts up to the last write of the connection that sends it. So each `WAIT` follows a
 *   write of its own (the fence): sent after every caller's event was answered, it stands for every
 *   write the master made before it, whichever connection made it — the duplicate of an event that
 *   another process stored, or that this one stored before a restart, included.
 * - A connection of its own: Redis holds a connection's later commands until its `WAIT` returns,
 *   and the producers' connection serves everything else (health, states, dead letters).
 * - One fence and `WAIT` at a time, for every caller that asked before it was sent (each after its
 *   own event's write was answered): sent at the end of the turn, or when the one in flight
 *   returns. Never one per turn: with replicas behind, each would hold the next for the whole
 *   timeout, and the wait would grow without bound. So an event waits at most twice the timeout.
 * - A connection re-established between an event's write and its `WAIT` (ioredis resends the
 *   commands it had not seen answered) may reach another server — a promoted replica, behind the
 *   same address — that never had the event: `ticket()` before the write, and `replicated(ticket)`
 *   refuses the event when either connection closed since.
 */
export function createReplicaAcks(
  producers: Redis,
  { replicas, timeoutMs, fenceKey, logger }: ReplicaAcksOptions,
) {
  const connection = producers.duplicate();
  connection.on('error', () => undefined); // a failing command fails its caller (503)
  let reconnects = 0;
  for (const each of [producers, connection])
    each.on('close', () => {
      reconnects++;
    });
  let behind = false;
  const fenceAndWait = async () => {
    const [, acknowledged] = await Promise.all([
      connection.set(fenceKey, String(Date.now())),
      connection.call('WAIT', replicas, timeoutMs),
    ]);
    if (Number(acknowledged) < replicas) {
      // Logged once when it starts, and once when it ends: every event meanwhile answers 503.
      if (!behind)
        logger.warn(
          { acknowledged: Number(acknowledged), required: replicas, timeoutMs },
          'queue Redis replicas behind: events are refused (503) until enough replicas keep up',
        );
      behind = true;
      throw new ReplicasBehind(
        `${String(acknowledged)} of ${String(replicas)} replicas had the write within ${String(timeoutMs)} ms`,
      );
    }
    if (behind) logger.info({ replicas }, 'queue Redis replicas keep up again');
    behind = false;
  };
  let inFlight = false;
  // The callers waiting for the next fence and WAIT, not sent yet.
  let next: PromiseWithResolvers<undefined> | undefined;
  const send = () => {
    const batch = next;
    if (batch === undefined) return;
    next = undefined;
    inFlight = true;
    fenceAndWait()
      .then(() => {
        batch.resolve(undefined);
      }, batch.reject)
      .finally(() => {
        inFlight = false;
        send();
      });
  };
  return {
    /** Taken before an event's write; `replicated` is given it after. */
    ticket: (): number => reconnects,
    /** Resolves once `replicas` replicas have every write answered so far; rejects otherwise. */
    replicated: async (ticket: number): Promise<void> => {
      if (next === undefined) {
        next = Promise.withResolvers<undefined>();
        // Nothing in flight: sent at the end of this turn, every caller of the turn in it.
        if (!inFlight) setImmediate(send);
      }
      await next.promise;
      if (reconnects !== ticket)
        throw new ReplicasBehind(
          'a connection to Redis was re-established after the write: it may have reached another server',
        );
    },
    /** Resolves once its connection is up (or rejects after `timeoutMs`). */
    ready: async (readyTimeoutMs: number): Promise<void> => {
      if (connection.status === 'ready') return;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          connection.off('ready', onReady);
          reject(new Error(`Redis not ready within ${String(readyTimeoutMs)} ms`));
        }, readyTimeoutMs);
        const onReady = () => {
          clearTimeout(timer);
          resolve();
        };
        connection.once('ready', onReady);
      });
    },
    close: (): void => {
      connection.disconnect();
    },
  };
}
export type ReplicaAcks = ReturnType<typeof createReplicaAcks>;
