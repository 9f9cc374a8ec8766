import { once } from 'node:events';
import { createServer } from 'node:net';

/** A free loopback port (bound, then released). */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * `[command, args]` to run `argv`, pinned to `cpus` with `taskset -c` when given (benchmarks give
 * each process under test its own core).
 */
export function pinnedTo(
  cpus: string | undefined,
  [command, ...args]: readonly [string, ...string[]],
): [string, string[]] {
  return cpus === undefined ? [command, args] : ['taskset', ['-c', cpus, command, ...args]];
}
