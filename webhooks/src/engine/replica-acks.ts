import { setImmediate } from 'node:timers';
import type { Logger } from '@manifold/platform/logging';
import type { Redis } from 'ioredis';
import type { FanOut } from '../delivery/fan-out.ts';
import { infoField } from './redis-check.ts';
import { untilReady } from './until-ready.ts';

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

/** How long past the WAIT's own timeout a silent connection is given before it is dropped. */
const SILENCE_GRACE_MS = 2_000;

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
 *   timeout, and the wait would grow without bound. So an event waits at most twice the timeout
 *   while Redis answers; a connection silent for the timeout and SILENCE_GRACE_MS is dropped
 *   (socketTimeout), so at most that plus the timeout when it does not.
 * - The fence must land on the server that has the event: refused when either connection was
 *   re-established after the event's write (`ticket()` before it, `replicated(ticket)` after —
 *   ioredis resends what it had not seen answered, perhaps to a promoted replica behind the same
 *   address), or while the two connections are not known to reach the same server (`run_id`).
 */
export function createReplicaAcks(
  producers: Redis,
  { replicas, timeoutMs, fenceKey, logger }: ReplicaAcksOptions,
) {
  const connection = producers.duplicate({
    socketTimeout: timeoutMs + SILENCE_GRACE_MS,
    // A Smart Client Handoff swaps the socket without a `close`: the checks below would miss it.
    maintNotifications: 'disabled',
  });
  connection.on('error', () => undefined); // a failing command fails its caller (503)
  let reconnects = 0;
  /** The server each connection reaches (INFO's run_id): undefined until known. */
  const serverOf = new Map<Redis, string | undefined>();
  const learnServer = async (each: Redis) => {
    serverOf.set(each, undefined);
    try {
      const info = await each.info('server');
      serverOf.set(each, infoField(info, 'run_id'));
    } catch {
      // Unknown until the next ready: events are refused meanwhile.
    }
  };
  const learning: Promise<void>[] = [];
  for (const each of [producers, connection]) {
    each.on('close', () => {
      reconnects++;
      serverOf.set(each, undefined);
    });
    each.on('ready', () => void learnServer(each));
    if (each.status === 'ready') learning.push(learnServer(each));
  }
  const sameServer = () => {
    const server = serverOf.get(producers);
    return server !== undefined && server === serverOf.get(connection);
  };

  // Logged once when it starts and once when it ends: every event meanwhile answers 503.
  let failing = false;
  const failed = (details: Record<string, unknown>, message: string) => {
    if (!failing) logger.warn(details, message);
    failing = true;
  };
  const fenceAndWait = async () => {
    let acknowledged: number;
    try {
      const [, answer] = await Promise.all([
        connection.set(fenceKey, String(Date.now())),
        connection.wait(replicas, timeoutMs),
      ]);
      acknowledged = answer;
    } catch (error) {
      failed({ err: error }, 'queue Redis replica wait failed: events are refused (503)');
      throw error;
    }
    if (acknowledged < replicas) {
      failed(
        { acknowledged, required: replicas, timeoutMs },
        'queue Redis replicas behind: events are refused (503) until enough replicas keep up',
      );
      throw new ReplicasBehind(
        `${String(acknowledged)} of ${String(replicas)} replicas had the write within ${String(timeoutMs)} ms`,
      );
    }
    if (failing) logger.info({ replicas }, 'queue Redis replicas keep up again');
    failing = false;
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
      if (!sameServer())
        throw new ReplicasBehind('the two connections to Redis are not known to reach one server');
    },
    /**
     * Resolves once its connection is up, both connections are known to reach one server, and the
     * fence and `WAIT` are allowed (an ACL without them would refuse every event): a message
     * saying what is wrong otherwise.
     */
    start: async (readyTimeoutMs: number): Promise<void> => {
      await untilReady(connection, readyTimeoutMs);
      await Promise.all([...learning, learnServer(connection)]);
      if (!sameServer()) throw new Error('its two connections do not reach one server');
      try {
        await connection.set(fenceKey, String(Date.now()));
        await connection.wait(0, 1);
      } catch (error) {
        throw new Error(
          `its user may not run SET on ${fenceKey} and WAIT (${error instanceof Error ? error.message : String(error)})`,
          { cause: error },
        );
      }
    },
    close: (): void => {
      connection.disconnect();
    },
  };
}
export type ReplicaAcks = ReturnType<typeof createReplicaAcks>;

/**
 * `fanOut` answering only once replicas have what it stored, or found stored (a duplicate too: the
 * request that stored it may have been refused for want of replicas). An id reused for another
 * body stored nothing, and waits for nothing.
 */
export function afterReplicas(
  fanOut: FanOut,
  acks: Pick<ReplicaAcks, 'ticket' | 'replicated'>,
): FanOut {
  return async (...args) => {
    const ticket = acks.ticket();
    const outcome = await fanOut(...args);
    if (outcome !== 'id-reused') await acks.replicated(ticket);
    return outcome;
  };
}
