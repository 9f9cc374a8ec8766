// Ctrl-C typed into a real terminal — and SIGTERM or SIGKILL sent to npm — again and again, at every
// moment of `npm start`'s start-up (before the launcher runs, between stages, while a service seeds
// or binds, once all are up) must leave nothing running. A reduced stack (PHP behind its guard, a facade, a subgraph: three
// stages) keeps each repetition short; launcher.e2e.ts covers the whole stack.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import {
  killLeftovers,
  killLeftoversAfterEachTest,
  launch,
  type LauncherRun,
  leftovers,
  processesOf,
  recordGroups,
  UP_LINE,
  waitUntilUp,
} from './harness.ts';

/** Each way of stopping npm takes its turn: 7 each, 21 in a row. */
const REPETITIONS = 21;
const ONLY = ['soap-proxy', 'users'];

killLeftoversAfterEachTest();

/** Starts npm (in a terminal, or under a process manager) and resolves once npm runs. */
async function startNpm(via: 'pty' | 'direct'): Promise<{ started: LauncherRun; at: number }> {
  const started = await launch({ via, only: ONLY });
  await vi.waitFor(
    () => {
      expect(processesOf(started).some(({ command }) => command.startsWith('npm start'))).toBe(
        true,
      );
    },
    { timeout: 10_000, interval: 10 },
  );
  return { started, at: Date.now() };
}

/** Stops the run the given way and reports what was left once the root process ended. */
async function stop(started: LauncherRun, how: Stop): Promise<string[]> {
  recordGroups(started);
  if (how === 'Ctrl-C') started.ctrlC();
  else started.root.kill(how); // npm itself, as a process manager (or an OOM killer) would
  const ended = await Promise.race([started.exited.then(() => true), sleep(30_000, false)]);
  if (!ended) return [`${how}: npm did not end within 30 s`];
  try {
    await vi.waitFor(
      async () => {
        expect(await leftovers(started)).toEqual({ processes: [], ports: [] });
      },
      { timeout: 15_000, interval: 100 },
    );
    return [];
  } catch {
    const { processes, ports } = await leftovers(started);
    return [...processes, ...ports.map((port) => `port ${port} still open`)];
  }
}

type Stop = 'Ctrl-C' | 'SIGTERM' | 'SIGKILL';

/** Whether vitest gave up on the test (read afresh each time: it changes while the test awaits). */
const timedOut = (signal: AbortSignal) => signal.aborted;

/** Ctrl-C is typed into a terminal; the signals go to npm run by a process manager. */
const viaFor = (how: Stop) => (how === 'Ctrl-C' ? 'pty' : 'direct');

/**
 * Starts npm REPETITIONS times and stops it each time at a later moment of start-up, from "npm has
 * just started" to "just up", the ways in `stops` taking turns; fails listing every leftover.
 */
async function stopAtEveryMoment(stops: readonly Stop[], signal: AbortSignal): Promise<void> {
  // First: how long start-up takes here, and a stop once everything is up.
  const first = await startNpm(viaFor(stops[0]!));
  const run = first.started;
  await waitUntilUp(run);
  const upAfterMs = Date.now() - first.at;
  const failures: string[] = [];
  const report = (moment: string, left: string[], output: string) => {
    if (left.length > 0)
      failures.push(`${moment}: left ${left.join('; ')}\n--- output ---\n${output}`);
  };
  report(`${stops[0]} once up`, await stop(run, stops[0]!), run.output());

  for (let index = 1; index < REPETITIONS; index++) {
    // A test that timed out goes on running: it must not start stacks nobody will stop.
    if (timedOut(signal)) break;
    const how = stops[index % stops.length]!;
    const { started, at } = await startNpm(viaFor(how));
    if (timedOut(signal)) {
      killLeftovers(started);
      break;
    }
    const momentMs = Math.round(((index - 1) / (REPETITIONS - 2)) * upAfterMs * 1.05);
    await sleep(Math.max(0, at + momentMs - Date.now())); // the moment is the point of the test
    const wasUp = started.output().includes(UP_LINE);
    report(
      `${how} ${momentMs} ms after npm started${wasUp ? ' (up)' : ''}`,
      await stop(started, how),
      started.output(),
    );
    killLeftovers(started); // a failed repetition must not disturb the next one
  }
  expect(failures, failures.join('\n\n')).toEqual([]);
}

describe('stopping npm start at any moment of its start-up', () => {
  it(`Ctrl-C in a terminal, SIGTERM and SIGKILL to npm, taking turns, ${REPETITIONS} times in a row, leave nothing`, async ({
    signal,
  }) => {
    await stopAtEveryMoment(['Ctrl-C', 'SIGTERM', 'SIGKILL'], signal);
  }, 400_000); // about 100 s here; room for a slower machine, and for failures to be reported
});
