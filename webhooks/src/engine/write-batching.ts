import { setImmediate } from 'node:timers';
import type { Redis } from 'ioredis';

/** Sockets whose writes are being held until the end of this turn of the event loop. */
const held = new WeakSet<object>();

/**
 * From now on, holds every command written on this connection until the turn of the event loop
 * it was issued in ends (its check phase), then sends what the turn issued in one write.
 * Inbound requests that arrive together are read in one poll phase, and each issues its Redis
 * commands from its own callback; so do the worker's concurrent deliveries when Redis answers
 * them together. Unheld, each command is a socket write of its own — a syscall each, the largest
 * single cost of an ingest when profiled (docs/benchmarks.md) — and Redis reads, runs and fsyncs
 * them in as many small batches.
 *
 * ioredis's own `enableAutoPipelining` batches the same way (setImmediate), but through a
 * Pipeline per batch, and a Pipeline copies every script defined on the connection (BullMQ
 * defines about fifty): measured slower than no batching at all. Holding the socket (`cork`)
 * batches the bytes and nothing else: every command keeps its own promise, its order and its
 * errors (a socket dropped while held: ioredis resends its commands on reconnect, as it does for
 * any written and unanswered). It costs a command the rest of the turn it was issued in, and Redis
 * an idle moment meanwhile: microseconds when idle, less than the syscalls it saves under load.
 * Before the first connect there is no socket to hold; after, a dead one is held harmlessly.
 * `setImmediate` from node:timers: a test's fake timers must not hold every Redis command.
 */
export function batchWrites(redis: Redis): Redis {
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = (...args: Parameters<Redis['sendCommand']>) => {
    // `stream` is unset until the first connect (ioredis's type says otherwise).
    holdUntilTurnEnds(redis.stream);
    return send(...args);
  };
  return redis;
}

function holdUntilTurnEnds(socket: Redis['stream'] | undefined): void {
  if (socket === undefined || held.has(socket)) return;
  held.add(socket);
  socket.cork();
  setImmediate(() => {
    held.delete(socket);
    socket.uncork();
  });
}
