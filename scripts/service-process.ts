// One run of one service under `npm start`: spawned in its own process group with an IPC channel
// (its lifeline: when the launcher goes, even by SIGKILL, the service notices and stops), its
// output prefixed line by line, its readiness polled.
import { nodeArgs } from './node-args.ts';
import { spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { createLinePrefixer } from './log-lines.ts';
import type { ServiceDefinition } from './services.ts';

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServiceProcess {
  pid: number | undefined;
  startedAt: number;
  /** Resolves once the process exited and its output is flushed. */
  exited: Promise<ExitStatus>;
  /** Signals the process and everything in its group (PHP's workers too). */
  signal: (signal: NodeJS.Signals) => void;
}

export interface SpawnOptions {
  root: string;
  host: string;
  port: number;
  env: NodeJS.ProcessEnv;
  prefix: { width: number; colour: boolean; index: number };
  print: (line: string) => void;
}

/**
 * Node services run as `node <entry>`; PHP ones as `php -S` and the private Redis as
 * `redis-server`, both behind scripts/php-guard.ts (which stops any command with the launcher).
 */
function commandOf(
  service: ServiceDefinition,
  host: string,
  port: number,
  env: NodeJS.ProcessEnv,
): string[] {
  switch (service.runtime) {
    case 'php':
      return ['scripts/php-guard.ts', 'php', '-S', `${host}:${port}`, service.entry];
    case 'redis':
      return ['scripts/php-guard.ts', service.entry, ...redisArgs(host, port, env)];
    case 'node':
      return nodeArgs(service.entry);
  }
}

/** Where the private Redis keeps its AOF (WEBHOOKS_REDIS_DIR moves it). */
export const redisDataDir = (env: NodeJS.ProcessEnv) =>
  env['WEBHOOKS_REDIS_DIR'] ?? '.data/webhooks-redis';

/**
 * The webhooks queue's private Redis: every write in the AOF and fsynced before Redis answers
 * (an acknowledged event survives a crash), never evicting, no RDB snapshots.
 */
const redisArgs = (host: string, port: number, env: NodeJS.ProcessEnv) => [
  '--port',
  String(port),
  '--bind',
  host,
  '--dir',
  redisDataDir(env),
  '--appendonly',
  'yes',
  '--appendfsync',
  'always',
  '--maxmemory-policy',
  'noeviction',
  '--save',
  '',
  '--loglevel',
  'warning',
];

export function spawnService(
  service: ServiceDefinition,
  { root, host, port, env, prefix, print }: SpawnOptions,
): ServiceProcess {
  const child = spawn(process.execPath, commandOf(service, host, port, env), {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    // Its own process group: one signal reaches whatever it forks, and a terminal's Ctrl-C
    // reaches only the launcher, which stops every service itself (and waits for them).
    detached: true,
  });
  const streams = [child.stdout, child.stderr].filter((stream) => stream !== null);
  let pending = streams.length;
  let exit: ExitStatus | undefined;
  let settle: (status: ExitStatus) => void = () => undefined;
  const exited = new Promise<ExitStatus>((resolve) => (settle = resolve));
  const finish = () => {
    if (exit && pending === 0) settle(exit);
  };
  for (const stream of streams) {
    const prefixer = createLinePrefixer(service.name, prefix);
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      prefixer.push(chunk).forEach(print);
    });
    stream.once('close', () => {
      prefixer.flush().forEach(print);
      pending--;
      finish();
    });
  }
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // nothing left in the group
    }
  };
  child.once('error', (error) => {
    print(`manifold: cannot start ${service.name}: ${error.message}`);
    exit = { code: null, signal: null };
    pending = 0;
    finish();
  });
  child.once('exit', (code, signal) => {
    exit = { code, signal };
    // Anything it left in its group (a PHP worker) goes too, or it would hold the port.
    signalGroup('SIGKILL');
    finish();
  });
  return { pid: child.pid, startedAt: Date.now(), exited, signal: signalGroup };
}

/** Whether a Redis at `redis://host:port` answers PING (loaded, not only listening). */
async function redisAnswers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port) });
    const done = (ready: boolean) => {
      socket.destroy();
      resolve(ready);
    };
    socket.setTimeout(2_000, () => {
      done(false);
    });
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (chunk) => {
      done(chunk.toString().startsWith('+PONG'));
    });
    socket.once('error', () => {
      done(false);
    });
  });
}

const answers = async (url: string) => {
  if (url.startsWith('redis:')) return redisAnswers(url);
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  return response.ok;
};

/** Polls `url` (http: 2xx; redis: PONG) until it answers ('ready'), the process exits, or `timeoutMs` passes. */
export async function waitUntilReady(
  url: string,
  exited: Promise<ExitStatus>,
  timeoutMs: number,
): Promise<'ready' | 'exited' | 'timeout'> {
  const process = { gone: false };
  void exited.then(() => (process.gone = true));
  const deadline = Date.now() + timeoutMs;
  while (!process.gone) {
    if (Date.now() > deadline) return 'timeout';
    try {
      if (await answers(url)) return 'ready';
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return 'exited';
}

/** "exit code 1" / "killed by SIGKILL", for state lines. */
export const describeExit = ({ code, signal }: ExitStatus) =>
  signal ? `killed by ${signal}` : `exit code ${code ?? '?'}`;
