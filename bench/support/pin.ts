import type { CommandWrapper } from '@manifold/platform/testing';

/**
 * `[command, args]` to run `argv`, pinned to `cpus` with `taskset -c` when given: benchmarks give
 * each process under test its own core.
 */
export function pinnedTo(
  cpus: string | undefined,
  [command, ...args]: readonly [string, ...string[]],
): [string, string[]] {
  return cpus === undefined ? [command, args] : ['taskset', ['-c', cpus, command, ...args]];
}

/** A command wrapper (for startService / startPhpServer) that pins to `cpus`. */
export const pinTo =
  (cpus: string | undefined): CommandWrapper =>
  (argv) =>
    pinnedTo(cpus, argv);
