import type { Redis } from 'ioredis';

/** Sockets whose writes are being held until the end of this turn of the event loop. */
const held = new WeakSet<object>();

/**
 * Holds the connection's writes until this turn of the event loop ends (its check phase), then
 * sends them in one write. Inbound requests that arrive together are read in one poll phase, and
 * each issues its Redis commands from its own callback: unheld, each command is a socket write of
 * its own — a syscall each, the largest single cost of an ingest when profiled
 * (docs/benchmarks.md) — and Redis reads, runs and fsyncs them in as many small batches.
 *
 * ioredis's own `enableAutoPipelining` batches the same way (setImmediate), but through a
 * Pipeline per batch, and a Pipeline copies every script defined on the connection (BullMQ
 * defines about fifty): measured slower than no batching at all. Holding the socket (`cork`)
 * batches the bytes and nothing else: every command keeps its own promise and its order.
 *
 * Costs a command at most one turn of the loop (microseconds when idle). A connection that is
 * not up has no socket to hold: its commands fail or queue as they would have.
 */
export function batchWritesThisTurn(redis: Redis): void {
  const socket = redis.stream as Redis['stream'] | undefined;
  if (socket === undefined || held.has(socket)) return;
  held.add(socket);
  socket.cork();
  setImmediate(() => {
    held.delete(socket);
    socket.uncork();
  });
}
