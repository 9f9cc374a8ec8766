// The parts every benchmark's section in docs/benchmarks.md shares: the results table, the
// targets table, and publishing (printed, and appended with the date to docs/benchmarks.md).
import { appendFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../test/e2e/support/processes.ts';
import type { ScenarioResult } from './rounds.ts';

/** A target as the issue states it, what was measured, and whether that meets it. */
export type Check = readonly [target: string, measured: string, met: boolean];

/** `2 × AMD EPYC, Node v24.21.0` */
export const machine = () =>
  `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, Node ${process.version}`;

export const scenarioTable = (results: readonly ScenarioResult[]): string[] => {
  // The CPU columns when any scenario measured its process's CPU per request.
  const cpu = results.some((result) => result.cpuUsPerRequest !== undefined);
  return [
    `| scenario | concurrency | RPS (median) | RPS per round | p50 ms | p99 ms | errors |${cpu ? ' CPU µs per request (median) | CPU µs per round |' : ''}`,
    `|---|---|---|---|---|---|---|${cpu ? '---|---|' : ''}`,
    ...results.map(
      ({ scenario, concurrency, result, rpsRounds, cpuUsPerRequest, cpuRounds }) =>
        `| ${scenario} | ${concurrency} | ${result.rps.toFixed(0)} | ${rpsRounds.map((rps) => rps.toFixed(0)).join(' · ')} | ${result.p50Ms.toFixed(2)} | ${result.p99Ms.toFixed(2)} | ${result.errors} |${cpu ? ` ${cpuUsPerRequest?.toFixed(0) ?? '—'} | ${(cpuRounds ?? []).map((value) => value.toFixed(0)).join(' · ')} |` : ''}`,
    ),
  ];
};

export const targetTable = (checks: readonly Check[]): string[] => [
  '| target | measured | met |',
  '|---|---|---|',
  ...checks.map(
    ([target, measured, met]) => `| ${target} | ${measured} | ${met ? 'yes' : '**no**'} |`,
  ),
];

const percent = (value: number) => `${(value * 100).toFixed(1)} %`;

/**
 * Throughput loss of `on` against `off`, judged against `maxLoss` two ways: the measured RPS, and
 * — when both measured their process's CPU — on a saturated core, where throughput is
 * 1 / CPU per request (which holds when the machine is busy or the load generator is the bottleneck).
 */
export function lossChecks(
  label: string,
  off: ScenarioResult | undefined,
  on: ScenarioResult | undefined,
  maxLoss: number,
): Check[] {
  if (!off || !on) throw new Error(`${label}: a scenario did not run`);
  const rpsLoss = 1 - on.result.rps / off.result.rps;
  const checks: Check[] = [
    [
      `${label}: throughput loss ≤ ${percent(maxLoss)} (measured RPS)`,
      percent(rpsLoss),
      rpsLoss <= maxLoss,
    ],
  ];
  if (off.cpuUsPerRequest !== undefined && on.cpuUsPerRequest !== undefined) {
    const cpuLoss = 1 - off.cpuUsPerRequest / on.cpuUsPerRequest;
    checks.push([
      `${label}: throughput loss ≤ ${percent(maxLoss)} (saturated core, from CPU per request: ${off.cpuUsPerRequest.toFixed(0)} → ${on.cpuUsPerRequest.toFixed(0)} µs)`,
      percent(cpuLoss),
      cpuLoss <= maxLoss,
    ]);
  }
  return checks;
}

/** The sentence that says what the CPU per request column is. */
export const CPU_PER_REQUEST_NOTE =
  "CPU per request: the measured process's user + system time (/proc/<pid>/stat) over a round ÷ the requests it answered; on a saturated core, throughput is its inverse.";

/** Prints the section and appends it to docs/benchmarks.md (whose figures are never edited by hand). */
export function publish(title: string, lines: readonly string[]): void {
  const section = [
    `### ${title} — ${new Date().toISOString().slice(0, 10)}`,
    '',
    ...lines,
    '',
  ].join('\n');
  process.stdout.write(`\n${section}\n`);
  appendFileSync(join(REPO_ROOT, 'docs/benchmarks.md'), `\n${section}`);
}
