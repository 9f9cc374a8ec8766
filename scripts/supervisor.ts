// Keeps one service running under `npm start`: starts it, and when it crashes after having been
// ready, says so and starts it again with backoff (scripts/restart-policy.ts) while the others
// keep serving. Each change of state is one line.
import { createRestartPolicy, type RestartPolicyOptions } from './restart-policy.ts';
import {
  describeExit,
  type ServiceProcess,
  type SpawnOptions,
  spawnService,
  waitUntilReady,
} from './service-process.ts';
import type { ServiceDefinition } from './services.ts';

export interface SupervisorOptions extends SpawnOptions {
  /** Longest wait for readiness (a first start seeds databases). */
  readyTimeoutMs: number;
  /** Past this, a service told to stop is killed. */
  stopGraceMs: number;
  /** State lines ("users crashed (…)"). */
  announce: (message: string) => void;
  restart?: RestartPolicyOptions;
}

export interface Supervisor {
  service: ServiceDefinition;
  port: number;
  /** First start: resolves once ready; rejects if it exits or stays unready (start-up failure). */
  start: () => Promise<void>;
  /** Stops it (and any pending restart); resolves once it and its group are gone. */
  stop: () => Promise<void>;
}

export function superviseService(
  service: ServiceDefinition,
  options: SupervisorOptions,
): Supervisor {
  const { host, port, readyTimeoutMs, stopGraceMs, announce } = options;
  const policy = createRestartPolicy(options.restart);
  const readyUrl = `${service.runtime === 'redis' ? 'redis' : 'http'}://${host}:${port}${service.readyPath}`;
  let current: ServiceProcess | undefined;
  let stopping = false;
  const isStopping = () => stopping; // read after awaits, where a plain `stopping` would look constant
  let restartTimer: NodeJS.Timeout | undefined;

  const launch = () => (current = spawnService(service, options));

  /** After it was ready once: a crash means a restart (or giving up), never a stop of the rest. */
  const watch = (run: ServiceProcess) => {
    void run.exited.then((status) => {
      if (isStopping()) return;
      const decision = policy.crashed(Date.now() - run.startedAt);
      announce(`${service.name} crashed (${describeExit(status)})`);
      if (!decision.restart) {
        announce(
          `${service.name} crashed ${decision.crashes} times in a row: given up; the other services keep running`,
        );
        return;
      }
      announce(
        `${service.name} restarting in ${decision.delayMs / 1000} s (crash ${decision.crashes} of ${policy.maxCrashes} in a row)`,
      );
      restartTimer = setTimeout(() => void restart(), decision.delayMs);
    });
  };

  const restart = async () => {
    if (isStopping()) return;
    const run = launch();
    const outcome = await waitUntilReady(readyUrl, run.exited, readyTimeoutMs);
    if (isStopping()) return;
    if (outcome === 'timeout')
      run.signal('SIGKILL'); // counted as the next crash by watch()
    else if (outcome === 'ready') announce(`${service.name} is up again`);
    watch(run);
  };

  return {
    service,
    port,
    async start() {
      const run = launch();
      const outcome = await waitUntilReady(readyUrl, run.exited, readyTimeoutMs);
      if (outcome === 'exited')
        throw new Error(
          `${service.name} exited before it was ready (${describeExit(await run.exited)})`,
        );
      if (outcome === 'timeout')
        throw new Error(`${service.name} was not ready within ${readyTimeoutMs / 1000} s`);
      watch(run);
    },
    async stop() {
      stopping = true;
      clearTimeout(restartTimer);
      const run = current;
      if (!run) return;
      run.signal('SIGTERM');
      const forced = setTimeout(() => {
        announce(`${service.name} still running after ${stopGraceMs / 1000} s: killed`);
        run.signal('SIGKILL');
      }, stopGraceMs);
      await run.exited;
      clearTimeout(forced);
    },
  };
}
