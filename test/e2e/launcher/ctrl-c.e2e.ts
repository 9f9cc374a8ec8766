// Ctrl-C typed into a real terminal, again and again, at every moment of `npm start`'s start-up —
// before the launcher runs, between stages, while a service seeds or binds, once all are up —
// must leave nothing running. A reduced stack (PHP behind its guard, a facade, a subgraph: three
// stages) keeps each repetition short; launcher.e2e.ts covers the whole stack.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  killLeftovers,
  launch,
  type LauncherRun,
  leftovers,
  processesOf,
  recordGroups,
  UP_LINE,
  waitUntilUp,
} from './harness.ts';

const REPETITIONS = 20;
const ONLY = ['soap-proxy', 'users'];

let run: LauncherRun | undefined;
afterEach(() => {
  if (run) killLeftovers(run);
  run = undefined;
});

/** Starts npm in a terminal and resolves once npm runs (the moment a user could press Ctrl-C). */
async function startInTerminal(): Promise<{ started: LauncherRun; at: number }> {
  const started = await launch({ via: 'pty', only: ONLY });
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

/** Presses Ctrl-C and reports what was left once the terminal session ended. */
async function interrupt(started: LauncherRun): Promise<string[]> {
  recordGroups(started);
  started.ctrlC();
  const ended = await Promise.race([started.exited.then(() => true), sleep(30_000, false)]);
  if (!ended) return ['the terminal session did not end within 30 s'];
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

describe('Ctrl-C in a terminal', () => {
  it(`stops every process, at any moment of start-up, ${REPETITIONS} times in a row`, async () => {
    // First: how long start-up takes here, and a Ctrl-C once everything is up.
    const first = await startInTerminal();
    run = first.started;
    await waitUntilUp(run);
    const upAfterMs = Date.now() - first.at;
    const failures: string[] = [];
    const report = (moment: string, left: string[], output: string) => {
      if (left.length > 0)
        failures.push(`Ctrl-C ${moment}: left ${left.join('; ')}\n--- output ---\n${output}`);
    };
    report('once up', await interrupt(run), run.output());

    // Then at moments spread over the whole start-up, from "npm has just started" to "just up".
    for (let index = 1; index < REPETITIONS; index++) {
      const { started, at } = await startInTerminal();
      run = started;
      const momentMs = Math.round(((index - 1) / (REPETITIONS - 2)) * upAfterMs * 1.05);
      await sleep(Math.max(0, at + momentMs - Date.now())); // the moment is the point of the test
      const wasUp = started.output().includes(UP_LINE);
      report(
        `${momentMs} ms after npm started${wasUp ? ' (up)' : ''}`,
        await interrupt(started),
        started.output(),
      );
      killLeftovers(started); // a failed repetition must not disturb the next one
    }
    expect(failures, failures.join('\n\n')).toEqual([]);
  }, 300_000); // about 40 s here; room for a slower machine, and for failures to be reported
});
