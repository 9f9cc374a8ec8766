// `npm start`: runs every Manifold service as its own process on embedded defaults (in-memory
// cache, SQLite under .data/), stage by stage, waits until each is ready, prints where they
// listen, and stops them all on Ctrl-C / SIGTERM.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createLinePrefixer } from './log-lines.ts';
import { nodeArgs } from './node-args.ts';
import { SERVICES, type ServiceDefinition } from './services.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 120_000; // a first start seeds the databases
const STOP_GRACE_MS = 15_000;
const PHP_INSTALL =
  'apt-get install -y php-cli php-soap php-sqlite3 (Debian/Ubuntu) or brew install php (macOS)';
const colour = process.stdout.isTTY;
const width = Math.max(...SERVICES.map((service) => service.name.length));

interface Running {
  service: ServiceDefinition;
  port: number;
  child: ChildProcess;
  exited: Promise<number | null>;
}

const running: Running[] = [];
let stopping = false;
// Read .env once here; every child inherits it.
if (existsSync(`${ROOT}.env`)) process.loadEnvFile(`${ROOT}.env`);

/** `<NAME>_PORT` overrides a service's default port. */
const portOf = (service: ServiceDefinition) =>
  Number(process.env[`${service.name.toUpperCase().replaceAll('-', '_')}_PORT`] ?? service.port);
const urlOf = (name: string) => {
  const service = SERVICES.find((candidate) => candidate.name === name);
  return `http://${HOST}:${service ? portOf(service) : 0}`;
};

function phpIsUsable(): boolean {
  try {
    const modules = execFileSync('php', ['-m'], { encoding: 'utf8' }).toLowerCase().split('\n');
    return modules.includes('soap') && modules.includes('pdo_sqlite');
  } catch {
    return false;
  }
}

async function assertPortFree(service: ServiceDefinition, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new Error(
          error.code === 'EADDRINUSE'
            ? `port ${port} (${service.name}) is already in use — is Manifold already running? Free it or set ${service.name.toUpperCase().replaceAll('-', '_')}_PORT.`
            : `cannot bind port ${port} for ${service.name}: ${error.message}`,
        ),
      );
    });
    probe.listen(port, HOST, () =>
      probe.close(() => {
        resolve();
      }),
    );
  });
}

function launch(service: ServiceDefinition, index: number): Running {
  if (!existsSync(`${ROOT}${service.entry}`))
    throw new Error(`${service.name}: entry file ${service.entry} does not exist`);
  const port = portOf(service);
  const [command, args] =
    service.runtime === 'php'
      ? ['php', ['-S', `${HOST}:${port}`, service.entry]]
      : [process.execPath, nodeArgs(service.entry)];
  const child = spawn(command, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      HOST,
      PORT: String(port),
      PHP_CLI_SERVER_WORKERS: '4',
      ...service.links?.(urlOf),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Own process group, so stopping reaches PHP's forked workers too.
    detached: true,
  });
  for (const stream of [child.stdout, child.stderr]) {
    const prefixer = createLinePrefixer(service.name, { width, colour, index });
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      for (const line of prefixer.push(chunk)) console.log(line);
    });
    stream.on('end', () => {
      for (const line of prefixer.flush()) console.log(line);
    });
  }
  // 'close', not 'exit': the child's last log lines (its shutdown report) are flushed by then.
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => {
      resolve(code);
    }),
  );
  void exited.then((code) => {
    if (!stopping) void stopAll(`${service.name} exited unexpectedly (code ${code})`, 1);
  });
  return { service, port, child, exited };
}

async function waitUntilReady({ service, port, exited }: Running): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const child = { gone: false };
  void exited.then(() => (child.gone = true));
  while (!child.gone && Date.now() < deadline) {
    try {
      const response = await fetch(`http://${HOST}:${port}${service.readyPath}`, {
        signal: AbortSignal.timeout(2_000),
      });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    child.gone
      ? `${service.name} exited before it was ready`
      : `${service.name} was not ready within ${READY_TIMEOUT_MS / 1000} s`,
  );
}

const signalGroup = (child: ChildProcess, signal: NodeJS.Signals) => {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
};

async function stopAll(reason: string, exitCode: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    console.log(`\nmanifold: ${reason}; stopping ${running.length} service(s)…`);
    for (const { child } of running) signalGroup(child, 'SIGTERM');
    const forced = setTimeout(() => {
      for (const { child } of running) signalGroup(child, 'SIGKILL');
    }, STOP_GRACE_MS);
    await Promise.all(running.map(({ exited }) => exited));
    clearTimeout(forced);
    console.log('manifold: stopped');
    process.exit(exitCode);
  }
  return new Promise<never>(() => undefined);
}

process.once('SIGINT', () => void stopAll('interrupted', 0));
process.once('SIGTERM', () => void stopAll('terminated', 0));
process.once('SIGHUP', () => void stopAll('terminal closed', 0));
// The services run in their own process groups, so a launcher orphaned without a signal (its
// parent killed hard) would leave them behind: notice it and stop them.
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) void stopAll('parent process gone', 0);
}, 1_000).unref();

try {
  const php = phpIsUsable();
  const selected = SERVICES.filter((service) => {
    if (service.runtime !== 'php' || php) return true;
    console.log(
      `manifold: PHP 8 with soap and pdo_sqlite not found — ${service.name} is skipped. Install: ${PHP_INSTALL}`,
    );
    return false;
  });
  for (const service of selected) await assertPortFree(service, portOf(service));
  for (const stage of [...new Set(selected.map((service) => service.stage))].sort(
    (a, b) => a - b,
  )) {
    const started = selected
      .filter((service) => service.stage === stage)
      .map((service) => launch(service, SERVICES.indexOf(service)));
    running.push(...started);
    await Promise.all(started.map(waitUntilReady));
  }
  console.log('\nManifold is up:\n');
  console.table(
    Object.fromEntries(
      running.map(({ service, port }) => [
        service.name,
        { url: `http://${HOST}:${port}`, ready: `http://${HOST}:${port}${service.readyPath}` },
      ]),
    ),
  );
  console.log(
    `GraphQL: ${urlOf('gateway')}/graphql · SOAP facade docs: ${urlOf('soap-proxy')}/docs\nPress Ctrl-C to stop.\n`,
  );
} catch (error) {
  await stopAll(`start-up failed: ${(error as Error).message}`, 1);
}
