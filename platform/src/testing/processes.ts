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

/** How a test helper runs `argv`; benchmarks wrap it (e.g. in `taskset`) to pin a process to a core. */
export type CommandWrapper = (argv: readonly [string, ...string[]]) => [string, string[]];

/** Runs `argv` as it is. */
export const runAsIs: CommandWrapper = ([command, ...args]) => [command, args];
