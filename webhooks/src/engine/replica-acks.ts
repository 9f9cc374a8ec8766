import { setImmediate } from 'node:timers';
import type { Redis } from 'ioredis';

/** How many replicas must have an event before it is acknowledged, and how long to wait for them. */
export interface ReplicaAcks {
  replicas: number;
  timeoutMs: number;
}

/** Fewer replicas than required had the writes within the timeout: nothing may be acknowledged. */
export class ReplicasBehind extends Error {
  override name = 'ReplicasBehind';
}

/**
 * `replicated()`: resolves once `replicas` replicas have every write made so far on `redis` (Redis
 * `WAIT`), or rejects with ReplicasBehind after `timeoutMs`. Redis answers a write once it is in
 * its own AOF and sends it to its replicas without waiting: a failover in between loses it. Waiting
 * before the 202 makes the 202 stand for the event on the replicas too (WEBHOOKS_ACK_REPLICAS).
 *
 * `WAIT` covers every earlier write of the connection that sends it, so one `WAIT` serves every
 * caller of the same turn of the event loop: each calls after its own write was answered, hence
 * sent before this turn's `WAIT`. A caller of a later turn needs a `WAIT` of its own: one already
 * sent may have gone before its write. Redis runs a connection's commands in order, and holds
 * those after a `WAIT` until it returns — the producers' connection, here: with replicas away,
 * every request waits up to the timeout, then is refused (the sender retries), as it must be.
 */
export function createReplicaAcks(redis: Redis, { replicas, timeoutMs }: ReplicaAcks) {
  let thisTurn: Promise<void> | undefined;
  const wait = async () => {
    const acknowledged = Number(await redis.call('WAIT', replicas, timeoutMs));
    if (acknowledged < replicas)
      throw new ReplicasBehind(
        `${String(acknowledged)} of ${String(replicas)} replicas had the write within ${String(timeoutMs)} ms`,
      );
  };
  return (): Promise<void> => {
    if (thisTurn === undefined) {
      thisTurn = wait();
      setImmediate(() => {
        thisTurn = undefined;
      });
    }
    return thisTurn;
  };
}
export type Replicated = ReturnType<typeof createReplicaAcks>;
