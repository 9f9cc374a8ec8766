// One run of one service under `npm start`: spawned in its own process group with an IPC channel
// (its lifeline: when the launcher goes, even by SIGKILL, the service notices and stops), its
// output prefixed line by line, its readiness polled.
import { nodeArgs } from './node-args.ts';
import { spawn } from 'node:child_process';
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

/** Node services run as `node <entry>`; PHP ones as `php -S` behind scripts/php-guard.ts. */
function commandOf(service: ServiceDefinition, host: string, port: number): string[] {
  return service.runtime === 'php'
    ? ['scripts/php-guard.ts', 'php', '-S', `${host}:${port}`, service.entry]
    : nodeArgs(service.entry);
}

export function spawnService(
  service: ServiceDefinition,
  { root, host, port, env, prefix, print }: SpawnOptions,
): ServiceProcess {
  const child = spawn(process.execPath, commandOf(service, host, port), {
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

/** Polls `url` until it answers 2xx ('ready'), the process exits, or `timeoutMs` passes. */
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
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return 'ready';
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
