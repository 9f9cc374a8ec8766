// `npm start`: runs every Manifold service as its own process on embedded defaults (in-memory
// cache, SQLite under .data/), stage by stage, waits until each is ready, prints where they
// listen, restarts a service that crashes (with backoff), and stops them all — every time — on
// Ctrl-C, SIGTERM, a closed terminal, or when its own parent disappears. The services watch the
// launcher in turn (an IPC channel): if it is SIGKILLed, they stop by themselves.
//   npm start [-- --only <service>[,<service>…]]   only those (and the services they link to)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FrontDoorAuthEnv } from '@manifold/platform/auth';
import { BaseEnv, loadEnv } from '@manifold/platform/config';
import { CLOSE_BUDGET_MS } from '@manifold/platform/service';
import { deadLettersWiring } from './dead-letters-wiring.ts';
import { destinationKeysWiring, followAccessFile } from './destination-keys-wiring.ts';
import { eventsWiring, type EventsWiring } from './events-wiring.ts';
import { redisDataDir } from './service-process.ts';
import {
  dependenciesOf,
  portVariable,
  SERVICES,
  selectServices,
  wantsPrivateRedis,
  type ServiceDefinition,
} from './services.ts';
import { superviseService, type Supervisor } from './supervisor.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 120_000; // a first start seeds the databases
const PHP_INSTALL =
  'apt-get install -y php-cli php-soap php-sqlite3 (Debian/Ubuntu) or brew install php (macOS)';
const REDIS_INSTALL =
  'apt-get install -y redis-server (Debian/Ubuntu) or brew install redis (macOS)';

const supervisors: Supervisor[] = [];
/** Set once a stop began: start-up launches nothing more. */
const launcher = { stopping: false };

const say = (message: string) => {
  console.log(`manifold: ${message}`);
};

async function stopAll(reason: string, exitCode: number): Promise<void> {
  if (launcher.stopping) return;
  launcher.stopping = true;
  if (supervisors.length === 0) {
    say(reason);
    process.exit(exitCode);
  }
  say(`${reason}; stopping ${supervisors.length} service(s)…`);
  await Promise.all(supervisors.map((supervisor) => supervisor.stop()));
  say('stopped');
  process.exit(exitCode);
}

// Before anything is started. `on`, not `once`: Ctrl-C arrives twice (from the terminal and
// forwarded by npm), and a second SIGINT with no listener would kill the launcher mid-stop.
process.on('SIGINT', () => void stopAll('interrupted', 0));
process.on('SIGTERM', () => void stopAll('terminated', 0));
process.on('SIGHUP', () => void stopAll('terminal closed', 0));
// A reader gone (`npm start | head`, a closed terminal) must not crash the launcher while it stops.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);
// Its parent SIGKILLed (npm, a process manager): no signal comes, but the launcher is re-parented.
// `npm start` names its own pid (package.json: MANIFOLD_LAUNCHER_PARENT=$PPID), so a parent killed
// while node was still loading this file — before any check could run — is noticed too.
const parentPid = Number(process.env['MANIFOLD_LAUNCHER_PARENT']) || process.ppid;
delete process.env['MANIFOLD_LAUNCHER_PARENT']; // not for the services
const watchParent = () => {
  if (process.ppid !== parentPid) void stopAll('parent process gone', 0);
};
setInterval(watchParent, 250).unref();

// Read .env once here; every child inherits it.
if (existsSync(`${ROOT}.env`)) process.loadEnvFile(`${ROOT}.env`);

/** `<NAME>_PORT` overrides a service's default port. */
const portOf = (service: ServiceDefinition) =>
  Number(process.env[portVariable(service.name)] ?? service.port);
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

function redisIsInstalled(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
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
            ? `port ${port} (${service.name}) is already in use — is Manifold already running? Free it or set ${portVariable(service.name)}.`
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

function supervise(
  service: ServiceDefinition,
  width: number,
  graceMs: number,
  events: EventsWiring,
): Supervisor {
  if (service.runtime === 'redis')
    mkdirSync(resolve(ROOT, redisDataDir(process.env)), { recursive: true });
  else if (!existsSync(`${ROOT}${service.entry}`))
    throw new Error(`${service.name}: entry file ${service.entry} does not exist`);
  return superviseService(service, {
    root: ROOT,
    host: HOST,
    port: portOf(service),
    env: {
      ...process.env,
      HOST,
      PORT: String(portOf(service)),
      PHP_CLI_SERVER_WORKERS: '4',
      ...service.links?.(urlOf),
      ...events[service.name],
    },
    prefix: { width, colour: process.stdout.isTTY, index: SERVICES.indexOf(service) },
    print: (line) => {
      console.log(line);
    },
    announce: say,
    readyTimeoutMs: READY_TIMEOUT_MS,
    // A service exits by itself within its grace + close budget; past that (and a margin), it is killed.
    stopGraceMs: graceMs + CLOSE_BUDGET_MS + 2_000,
  });
}

try {
  const { values } = parseArgs({ options: { only: { type: 'string' } } });
  // The grace period every service is given (the same variable, inherited).
  const { SHUTDOWN_GRACE_MS } = loadEnv(BaseEnv.pick({ SHUTDOWN_GRACE_MS: true }));
  const php = phpIsUsable();
  // The private Redis only when no Redis is configured; without redis-server, what needs it waits.
  const wanted = selectServices(values.only?.split(',').filter(Boolean));
  const privateRedis = wantsPrivateRedis() && wanted.some((service) => service.runtime === 'redis');
  const redis = privateRedis && redisIsInstalled();
  const selected = wanted.filter((service) => {
    if (service.runtime === 'redis') {
      if (redis) return true;
      if (privateRedis)
        say(
          `redis-server not found — ${service.name} and the webhooks service are skipped (the queue needs a Redis with AOF). Install: ${REDIS_INSTALL}, or set WEBHOOKS_REDIS_URL`,
        );
      return false;
    }
    if (privateRedis && !redis && dependenciesOf(service).includes('webhooks-redis')) return false;
    if (service.runtime !== 'php' || php) return true;
    say(
      `PHP 8 with soap and pdo_sqlite not found — ${service.name} is skipped. Install: ${PHP_INSTALL}`,
    );
    return false;
  });
  for (const service of selected) await assertPortFree(service, portOf(service));
  // Order and stock events flow to the webhooks service when it runs (events-wiring.ts).
  const webhooksRunning = selected.some((service) => service.name === 'webhooks');
  const events = eventsWiring({
    webhooksRunning,
    webhooksUrl: urlOf('webhooks'),
    secretPath: resolve(ROOT, '.data/webhooks/manifold-events.secret'),
    env: process.env,
  });
  // Ambiguous non-idempotent failures go into the queue's Redis; the adapter's are replayed through it.
  const deadLetters = deadLettersWiring({
    webhooksRunning,
    privateRedisUrl:
      privateRedis && redis ? urlOf('webhooks-redis').replace(/^http:/, 'redis:') : undefined,
    legacyAdapterUrl: urlOf('legacy-rest-adapter'),
    env: process.env,
  });
  // The reference destinations' API keys, and the adapter and gateway accepting them.
  const destinationKeyOptions = {
    webhooksRunning,
    accessFile: resolve(
      ROOT,
      FrontDoorAuthEnv.shape.ACCESS_FILE.parse(process.env['ACCESS_FILE'] || undefined),
    ),
    dataDir: resolve(ROOT, '.data'),
    env: process.env,
  };
  const destinationKeys = destinationKeysWiring(destinationKeyOptions);
  followAccessFile(destinationKeyOptions, (error) => {
    say(
      `${destinationKeyOptions.accessFile} changed but was not applied (${(error as Error).message}); the services keep the access file they have`,
    );
  });
  for (const wiring of [deadLetters, destinationKeys])
    for (const [name, variables] of Object.entries(wiring))
      events[name] = { ...events[name], ...variables };
  const width = Math.max(...selected.map((service) => service.name.length));
  const stages = [...new Set(selected.map((service) => service.stage))].sort((a, b) => a - b);
  for (const stage of stages) {
    if (launcher.stopping) break; // Ctrl-C during start-up: start nothing more
    const started = selected
      .filter((service) => service.stage === stage)
      .map((service) => supervise(service, width, SHUTDOWN_GRACE_MS, events));
    supervisors.push(...started);
    await Promise.all(started.map((supervisor) => supervisor.start()));
  }
  if (!launcher.stopping) {
    console.log('\nManifold is up:\n');
    console.table(
      Object.fromEntries(
        supervisors.map(({ service, port }) => {
          const url = `${service.runtime === 'redis' ? 'redis' : 'http'}://${HOST}:${port}`;
          return [service.name, { url, ready: `${url}${service.readyPath}` }];
        }),
      ),
    );
    const running = (name: string) => selected.some((service) => service.name === name);
    const hints = [
      running('gateway') ? `GraphQL: ${urlOf('gateway')}/graphql` : '',
      running('soap-proxy') ? `SOAP facade docs: ${urlOf('soap-proxy')}/docs` : '',
      running('webhooks') ? `Webhooks: ${urlOf('webhooks')}/hooks/<source>` : '',
    ].filter(Boolean);
    console.log(`${hints.join(' · ')}\nPress Ctrl-C to stop.\n`);
  }
} catch (error) {
  await stopAll(`start-up failed: ${(error as Error).message}`, 1);
}
