import { once } from 'node:events';
import { createServer, type AddressInfo, type Server } from 'node:net';

/**
 * Where the ports chosen here begin, and where Linux's ephemeral ports (its outgoing connections')
 * do by default.
 */
const FIRST_PORT = 20_000;
const EPHEMERAL_FROM = 32_768;

/** A free loopback port (bound, then released). */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  if (port === undefined) throw new Error('no port');
  return port;
}

/**
 * `count` distinct free loopback ports, for a stack whose services are told their ports before they
 * start. All are held until all are chosen (sequential bind-and-release can hand out one port twice),
 * and they come from below Linux's ephemeral range (32768+), so an outgoing connection made meanwhile
 * cannot take one before its service binds it.
 */
export async function freePorts(count: number): Promise<number[]> {
  const held: Server[] = [];
  try {
    while (held.length < count) {
      const server = await tryListen(FIRST_PORT + Math.floor(Math.random() * 12_000));
      if (server !== undefined) held.push(server);
    }
    return held.map(portOf);
  } finally {
    await closeAll(held);
  }
}

/**
 * A free loopback port whose `port + offset` is free as well, both below Linux's ephemeral range
 * (a Redis Cluster node binds its cluster bus at port + 10000: chosen from freePorts' range, that
 * one fell among the ephemeral ports, where an outgoing connection could hold it at start).
 */
export async function freePortWithCompanion(offset: number): Promise<number> {
  const below = EPHEMERAL_FROM - offset - FIRST_PORT;
  if (below <= 0) throw new Error(`no port pair ${String(offset)} apart below ${EPHEMERAL_FROM}`);
  for (;;) {
    const held: Server[] = [];
    try {
      const first = await tryListen(FIRST_PORT + Math.floor(Math.random() * below));
      if (first === undefined) continue;
      held.push(first);
      const companion = await tryListen(portOf(first) + offset);
      if (companion === undefined) continue;
      held.push(companion);
      return portOf(first);
    } finally {
      await closeAll(held);
    }
  }
}

const portOf = (server: Server) => (server.address() as AddressInfo).port;

const closeAll = (servers: Server[]) =>
  Promise.all(servers.map((server) => new Promise((done) => server.close(done))));

async function tryListen(port: number): Promise<Server | undefined> {
  const server = createServer();
  try {
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    return server;
  } catch {
    return undefined; // taken (EADDRINUSE, or by a held server of ours): try another
  }
}

/** How a test helper runs `argv`; benchmarks wrap it (e.g. in `taskset`) to pin a process to a core. */
export type CommandWrapper = (argv: readonly [string, ...string[]]) => [string, string[]];

/** Runs `argv` as it is. */
export const runAsIs: CommandWrapper = ([command, ...args]) => [command, args];
