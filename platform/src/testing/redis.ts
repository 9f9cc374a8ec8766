import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, freePortWithCompanion } from './processes.ts';

const run = promisify(execFile);

/** Where tests find Redis; the machines running the suite have one on the default port. */
export const TEST_REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/**
 * Fails (never skips) with a clear message when the Redis the tests need is unreachable.
 */
export async function requireRedis(
  url: string = TEST_REDIS_URL,
  {
    attempts = 1,
    giveUpIf,
  }: {
    attempts?: number;
    /** Asked after each failed attempt: true ends the attempts there (the server is gone). */
    giveUpIf?: () => boolean;
  } = {},
): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      await connectOnce(url);
      return url;
    } catch (error) {
      if (attempt >= attempts || giveUpIf?.()) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * Connects to `url` and sends PING: a Redis answers (`+PONG`, or an error such as `-NOAUTH`; either
 * is a RESP reply). Connecting alone is not enough: whatever holds the port accepts the connection.
 */
async function connectOnce(url: string): Promise<void> {
  const { hostname, port } = new URL(url);
  await new Promise<void>((resolve, reject) => {
    const socket = createConnection({ host: hostname, port: Number(port || 6379) });
    const fail = (reason: string) => {
      socket.destroy();
      reject(
        new Error(
          `These tests need Redis at ${url} (${reason}). Start it: redis-server --daemonize yes --port 6379`,
        ),
      );
    };
    socket.setTimeout(2_000);
    socket.once('connect', () => {
      socket.write('PING\r\n');
    });
    socket.once('data', (reply: Buffer) => {
      const first = reply.toString('latin1', 0, 1);
      if (first !== '+' && first !== '-') {
        fail('it answered PING, but not as Redis does');
        return;
      }
      socket.end();
      resolve();
    });
    socket.once('end', () => {
      fail('it closed the connection without answering PING');
    });
    socket.once('timeout', () => {
      fail('timed out');
    });
    socket.once('error', (err) => {
      fail(err.message);
    });
  });
}

/** Redis puts a Cluster node's bus on its port + 10000. */
const CLUSTER_BUS_OFFSET = 10_000;
/** Starts of a private server on fresh ports before its failure is the test's. */
const START_ATTEMPTS = 3;

/** A private redis-server that exited before it answered, with what it last said. */
class RedisExitedAtStart extends Error {
  constructor(port: number, exit: number | string | null, log: string) {
    super(
      `redis-server on port ${String(port)} exited (${String(exit)}) before it answered; its last output:\n${log}`,
    );
  }
}

/**
 * Reads `child`'s output as it comes (a full pipe would stall it), keeping its last 2 kB, and
 * whether it is over: exited, and its output read to the end (`close`), so the tail is whole.
 */
function watch(child: ChildProcess): { tail: () => string; over: () => boolean } {
  let tail = '';
  let over = false;
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-2_048);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.once('close', () => {
    over = true;
  });
  return { tail: () => tail, over: () => over };
}

export interface RedisServer {
  url: string;
  /** Stops the server (SIGTERM, or SIGKILL for a crash; waits for exit); `start` brings it back on the same port. */
  stop: (signal?: 'SIGTERM' | 'SIGKILL') => Promise<void>;
  start: () => Promise<void>;
  /** Freezes the process (SIGSTOP): it holds its connections and answers nothing, until `resume`. */
  pause: () => void;
  resume: () => void;
}

/**
 * A private `redis-server` on a free port, for tests that stop, restart or persist Redis (the
 * shared one on 6379 keeps nothing on disk and must not be disturbed). Fails with the install
 * command when redis-server is missing.
 */
export async function startRedisServer({
  appendOnlyDir,
  clusterEnabled = false,
  replicaOf,
}: {
  /** Persist with AOF into this directory (fsync every write), so a restart keeps the data. */
  appendOnlyDir?: string;
  /** Start it as a Redis Cluster node (its cluster state in `appendOnlyDir`, required then). */
  clusterEnabled?: boolean;
  /**
   * Start it as a replica of the Redis at this URL (`redis://host:port`; `appendOnlyDir` required
   * then): resolved once the master counts it in sync.
   */
  replicaOf?: string;
} = {}): Promise<RedisServer> {
  // A node keeps its cluster state in its directory, a replica the copy it loads at its first sync:
  // without one, either would write into the cwd.
  if (clusterEnabled && appendOnlyDir === undefined)
    throw new Error('startRedisServer: a Cluster node needs appendOnlyDir');
  if (replicaOf !== undefined && appendOnlyDir === undefined)
    throw new Error('startRedisServer: a replica needs appendOnlyDir');
  const argsOn = (port: number) => [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    ...(appendOnlyDir === undefined
      ? ['--appendonly', 'no']
      : ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', appendOnlyDir]),
    ...(clusterEnabled
      ? ['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${String(port)}.conf`]
      : []),
    ...(replicaOf === undefined
      ? []
      : ['--replicaof', new URL(replicaOf).hostname, new URL(replicaOf).port || '6379']),
  ];
  let port = 0;
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('redis-server', argsOn(port), { stdio: ['ignore', 'pipe', 'pipe'] });
    const spawned = child;
    const output = watch(spawned);
    await new Promise<void>((resolve, reject) => {
      spawned.once('error', (error) => {
        reject(
          new Error(
            `These tests start their own redis-server, which is not installed (${error.message}). Install: apt-get install -y redis-server`,
          ),
        );
      });
      spawned.once('spawn', () => {
        resolve();
      });
    });
    // A server that exits before it answers (its port taken meanwhile, say) is reported with its
    // own last words once it is gone, rather than as an unreachable Redis after every attempt.
    try {
      await requireRedis(`redis://127.0.0.1:${String(port)}`, {
        attempts: 50,
        giveUpIf: output.over,
      });
    } catch (error) {
      if (!output.over()) throw error;
      throw new RedisExitedAtStart(port, spawned.exitCode ?? spawned.signalCode, output.tail());
    }
    // A replica is started once its master counts it in sync (its first copy loaded).
    if (replicaOf !== undefined)
      await untilAnswerMatches(
        new URL(replicaOf).host,
        ['info', 'replication'],
        new RegExp(`^slave\\d+:.*\\bport=${String(port)},state=online`, 'm'),
      );
  };
  const stop = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') => {
    const running = child;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = once(running, 'exit');
    running.kill('SIGCONT'); // a paused server handles SIGTERM only once it runs again
    running.kill(signal);
    await exited;
  };
  const signal = (name: 'SIGSTOP' | 'SIGCONT') => () => {
    if (child?.exitCode === null && child.signalCode === null) child.kill(name);
  };
  // The port is chosen free, then bound by the server: another process can take it in between
  // (or, for a Cluster node, its bus port). Such a start is tried again on other ports.
  for (let attempt = 1; ; attempt++) {
    port = clusterEnabled ? await freePortWithCompanion(CLUSTER_BUS_OFFSET) : await freePort();
    try {
      await start();
      break;
    } catch (error) {
      if (!(error instanceof RedisExitedAtStart) || attempt >= START_ATTEMPTS) throw error;
    }
  }
  return {
    url: `redis://127.0.0.1:${String(port)}`,
    stop,
    start,
    pause: signal('SIGSTOP'),
    resume: signal('SIGCONT'),
  };
}

export interface RedisCluster {
  /** One node's URL (any node leads a Cluster client to the others). */
  url: string;
  /** Each master's URL, in the order started. */
  nodes: string[];
  /** Each master's server (stop it, start it again on its port: it rejoins with its slots). */
  servers: RedisServer[];
  stop: () => Promise<void>;
}

/**
 * A private Redis Cluster of `masters` nodes (no replicas) on free ports, each with AOF (fsync
 * every write) in a directory of its own under `appendOnlyDir`, the slots spread over them by
 * `redis-cli --cluster create`; resolves once every node says the Cluster is ok.
 */
export async function startRedisCluster({
  masters = 3,
  appendOnlyDir,
}: {
  masters?: number;
  appendOnlyDir: string;
}): Promise<RedisCluster> {
  const servers: RedisServer[] = [];
  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop()));
  };
  try {
    for (let index = 0; index < masters; index++) {
      const dir = join(appendOnlyDir, `node-${String(index)}`);
      mkdirSync(dir, { recursive: true });
      servers.push(await startRedisServer({ appendOnlyDir: dir, clusterEnabled: true }));
    }
    const hosts = servers.map(({ url }) => new URL(url).host);
    await run('redis-cli', [
      '--cluster',
      'create',
      ...hosts,
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        throw new Error(
          'These tests make a Redis Cluster with redis-cli, which is not installed. Install: apt-get install -y redis-tools',
          { cause: error },
        );
      throw error;
    });
    for (const host of hosts)
      await untilAnswerMatches(host, ['cluster', 'info'], /^cluster_state:ok/m);
  } catch (error) {
    await stop();
    throw error;
  }
  const nodes = servers.map(({ url }) => url);
  return { url: nodes[0] ?? '', nodes, servers, stop };
}

/** Waits (10 s at most) for `host`'s answer to the redis-cli command `args` to match `pattern`. */
async function untilAnswerMatches(host: string, args: string[], pattern: RegExp): Promise<void> {
  const [hostname = '', port = ''] = host.split(':');
  for (let attempt = 0; ; attempt++) {
    const { stdout } = await run('redis-cli', ['-h', hostname, '-p', port, ...args]);
    if (pattern.test(stdout)) return;
    if (attempt >= 100)
      throw new Error(
        `Redis ${host}: ${args.join(' ')} did not match ${String(pattern)} after 10 s:\n${stdout}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
