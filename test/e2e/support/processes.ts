import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { type CommandWrapper, freePort, runAsIs } from '@manifold/platform/testing';
import { fileURLToPath } from 'node:url';
import { nodeArgs } from '../../../scripts/node-args.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export { freePort, freePorts } from '@manifold/platform/testing';

export interface ServiceProcess {
  name: string;
  url: string;
  child: ChildProcess;
  /** Everything the process wrote, for failure messages. */
  output: () => string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

export interface StartOptions {
  name: string;
  /** Entry file relative to the repo root. */
  entry: string;
  port: number;
  env: Record<string, string>;
  /** Path polled until it answers 200. */
  readyPath: string;
  /** @default 120000 — a first start seeds its database. */
  readyTimeoutMs?: number;
  /** Wraps the command line (benchmarks pin the process to a core). @default runAsIs */
  wrapCommand?: CommandWrapper;
}

/** Spawns `node --import <telemetry> <entry>` (Node 24, this very binary) and waits until `readyPath` answers 200. */
export async function startService({
  name,
  entry,
  port,
  env,
  readyPath,
  readyTimeoutMs = 120_000,
  wrapCommand = runAsIs,
}: StartOptions): Promise<ServiceProcess> {
  const [command, args] = wrapCommand([process.execPath, ...nodeArgs(entry)]);
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      resolve(code);
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const service: ServiceProcess = {
    name,
    url,
    child,
    output: () => output,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  const deadline = Date.now() + readyTimeoutMs;
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  for (;;) {
    if (exitCode !== undefined)
      throw new Error(`${name} exited (${exitCode}) before it was ready:\n${output}`);
    try {
      const response = await fetch(`${url}${readyPath}`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return service;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await service.stop('SIGKILL');
      throw new Error(
        `${name} was not ready at ${url}${readyPath} within ${readyTimeoutMs} ms:\n${output}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Runs the service (or command) at `entry` with `args` (NODE_ENV=test, a free PORT, `env` over
 * this process's) until it exits by itself — a start-up check refusing it, say: its exit code and
 * what it wrote to stderr.
 * Killed after `killAfterMs` (its code is then null: the test fails).
 */
export async function runUntilExit(
  entry: string,
  env: Record<string, string>,
  { killAfterMs = 30_000, args = [] }: { killAfterMs?: number; args?: readonly string[] } = {},
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [...nodeArgs(entry), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_ENV: 'test', PORT: String(await freePort()), ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  try {
    const [code] = (await once(child, 'exit')) as [number | null];
    return { code, stderr };
  } finally {
    clearTimeout(timer);
  }
}
