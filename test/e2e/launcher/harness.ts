// Runs `npm start` as a user would — in a terminal (a pseudo-terminal from util-linux `script`),
// piped, redirected to a file, or under a process manager — and finds every process it left.
// Each run stamps a marker into its environment, which every descendant inherits (PHP's workers
// too), so a process that escaped to another parent or session is still found.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, vi } from 'vitest';
import { portVariable, SERVICES } from '../../../scripts/services.ts';
import { freePorts, REPO_ROOT } from '../support/processes.ts';
import { E2E_DATA_DIR } from '../support/stack.ts';

const MARKER_VARIABLE = 'MANIFOLD_E2E_RUN';
export const UP_LINE = 'Press Ctrl-C to stop.';

export interface LaunchOptions {
  /** 'pty': in a pseudo-terminal, where Ctrl-C can be typed; 'direct': npm's stdio are pipes. */
  via: 'pty' | 'direct';
  /** Shell redirection after `npm start` in a pty: a pipe to cat, or a file. */
  redirect?: 'pipe' | 'file';
  /** `npm start -- --only …` */
  only?: string[];
  env?: Record<string, string>;
}

export interface LauncherRun {
  /** `script` (pty) or npm (direct): the process the user started. */
  root: ChildProcess;
  exited: Promise<unknown>;
  ports: Record<string, number>;
  output: () => string;
  /** Types Ctrl-C into the terminal (pty runs only). */
  ctrlC: () => void;
  /** Process groups of every process of this run seen so far. */
  groups: Set<number>;
  marker: string;
}

export interface ProcessInfo {
  pid: number;
  pgid: number;
  command: string;
}

/** Live (not zombie) processes, from /proc. */
function processTable(): (ProcessInfo & { environ: () => string })[] {
  const table = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, , pgid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z' || state === 'X') continue;
      table.push({
        pid: Number(entry),
        pgid: Number(pgid),
        command: readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ').trim(),
        environ: () => readFileSync(`/proc/${entry}/environ`, 'utf8'),
      });
    } catch {
      // exited while we looked
    }
  }
  return table;
}

/** Processes of this run: carrying its marker, or in one of its process groups. */
export function processesOf(run: LauncherRun): ProcessInfo[] {
  const stamp = `${MARKER_VARIABLE}=${run.marker}\0`;
  return processTable()
    .filter((process) => {
      try {
        return run.groups.has(process.pgid) || process.environ().includes(stamp);
      } catch {
        return false;
      }
    })
    .map(({ pid, pgid, command }) => ({ pid, pgid, command }));
}

/** Records the process groups the run's processes are in now (call while it runs). */
export function recordGroups(run: LauncherRun): void {
  for (const process of processesOf(run)) run.groups.add(process.pgid);
}

export async function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}

/** What the run left: processes of its tree or groups, and service ports still answering. */
export async function leftovers(
  run: LauncherRun,
): Promise<{ processes: string[]; ports: string[] }> {
  const open = await Promise.all(
    Object.entries(run.ports).map(async ([name, port]) =>
      (await portAnswers(port)) ? `${name}:${port}` : '',
    ),
  );
  return {
    processes: processesOf(run).map(({ pid, command }) => `${pid} ${command}`),
    ports: open.filter(Boolean),
  };
}

/** Free ports for every service, and the e2e databases (seeded once, reused). */
async function environment(marker: string): Promise<{
  ports: Record<string, number>;
  env: Record<string, string>;
}> {
  const ports: Record<string, number> = {};
  const chosen = await freePorts(SERVICES.length);
  SERVICES.forEach((service, index) => (ports[service.name] = chosen[index]!));
  const data = (file: string) => join(E2E_DATA_DIR, file);
  return {
    ports,
    env: {
      [MARKER_VARIABLE]: marker,
      ...Object.fromEntries(
        SERVICES.map((service) => [portVariable(service.name), String(ports[service.name])]),
      ),
      USERS_DATABASE_PATH: data('users.sqlite'),
      PRODUCTS_DATABASE_PATH: data('products.sqlite'),
      ORDERS_DATABASE_PATH: data('orders.sqlite'),
      CONTENT_DATABASE_PATH: data('content.sqlite'),
      SUPPLIER_DATABASE_PATH: data('launcher-supplier.sqlite'),
      LEGACY_DATABASE_PATH: data('launcher-legacy.sqlite'),
      LEGACY_SESSION_PATH: data('launcher-legacy-sessions'),
      IDP_DATA_DIR: data('launcher-identity-provider'),
      WEBHOOKS_REDIS_DIR: data('launcher-webhooks-redis'),
      // The webhooks queue on the launcher's private Redis (a configured one would replace it).
      WEBHOOKS_REDIS_URL: '',
      REDIS_URL: '',
      LOG_LEVEL: 'info',
    },
  };
}

/** A terminal for the test: `script` from util-linux. Fails, never skips, without it. */
function requireScript(): void {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error(
      'These tests type Ctrl-C into a terminal made by `script` (util-linux): apt-get install -y util-linux',
    );
  }
}

/**
 * The runs launched by the test under way that may have left something: each until it is found
 * to have left nothing, or its leftovers are killed (killLeftoversAfterEachTest).
 */
const launched = new Set<LauncherRun>();

export async function launch({
  via,
  redirect,
  only,
  env = {},
}: LaunchOptions): Promise<LauncherRun> {
  if (via === 'pty') requireScript();
  const marker = randomUUID();
  const { ports, env: runEnv } = await environment(marker);
  const args = only ? ['--', '--only', only.join(',')] : [];
  const file = redirect === 'file' ? join(mkdtempSync(join(tmpdir(), 'launcher-')), 'out.log') : '';
  const command = ['npm start', ...args].join(' ');
  const shellLine =
    redirect === 'pipe'
      ? `${command} | cat`
      : redirect === 'file'
        ? `${command} > ${file}`
        : command;
  const root =
    via === 'pty'
      ? spawn('script', ['-qfec', shellLine, '/dev/null'], {
          cwd: REPO_ROOT,
          env: { ...process.env, ...runEnv, ...env },
          stdio: ['pipe', 'pipe', 'pipe'],
          detached: true, // a session of its own, as a terminal window would be
        })
      : spawn('npm', ['start', ...args], {
          cwd: REPO_ROOT,
          env: { ...process.env, ...runEnv, ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: true, // its own group, as under a process manager
        });
  let output = '';
  root.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  root.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const run: LauncherRun = {
    root,
    exited: once(root, 'exit'),
    ports,
    output: () => (file ? readIfExists(file) : output),
    ctrlC: () => {
      if (via !== 'pty') throw new Error('Ctrl-C needs a terminal: launch it via pty');
      root.stdin?.write('\u0003');
    },
    groups: new Set(),
    marker,
  };
  launched.add(run);
  return run;
}

/**
 * Call once at the top of a launcher test file: after each test, whatever its runs left (a failed
 * test's) is SIGKILLed, so that nothing of it disturbs the next test or outlives the suite.
 */
export function killLeftoversAfterEachTest(): void {
  afterEach(() => {
    for (const run of launched) killLeftovers(run); // each forgotten as it is killed
  });
}

function readIfExists(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Resolves once the launcher printed its table; throws with its output if it exits first. */
export async function waitUntilUp(run: LauncherRun, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!run.output().includes(UP_LINE)) {
    if (run.root.exitCode !== null)
      throw new Error(`npm start exited (${run.root.exitCode}):\n${run.output()}`);
    if (Date.now() > deadline)
      throw new Error(`npm start was not up within ${timeoutMs} ms:\n${run.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  recordGroups(run);
}

/** Once the run's root process ended: no process of it and no port of it left (polled, 20 s). */
export async function expectNothingLeft(stopped: LauncherRun): Promise<void> {
  await stopped.exited;
  await vi.waitFor(
    async () => {
      expect(await leftovers(stopped)).toEqual({ processes: [], ports: [] });
    },
    { timeout: 20_000, interval: 200 },
  );
  // Nothing left: nothing to kill later by a process group whose id the system may reuse.
  launched.delete(stopped);
}

/** After a failed test: SIGKILL whatever the run left, by pid. */
export function killLeftovers(run: LauncherRun): void {
  launched.delete(run);
  for (const { pid } of processesOf(run)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}
