import type { LoadResult } from './load.ts';

export interface Scenario {
  name: string;
  concurrency: number;
  /** One measured run of `durationMs`. */
  run: (durationMs: number) => Promise<LoadResult>;
  /** Runs in fewer rounds, and without a warm-up (a scenario that uses up its inputs). */
  maxRounds?: number;
  /** CPU ms used so far by the process under test (bench/support/process-cpu.ts): adds CPU per request. */
  cpuMs?: () => number;
}

export interface ScenarioResult {
  scenario: string;
  concurrency: number;
  /** Median of the rounds (each metric on its own). */
  result: LoadResult;
  /** Every round's RPS, to show the spread. */
  rpsRounds: number[];
  /** Median CPU µs per request of the process under test, when the scenario measures it. */
  cpuUsPerRequest?: number;
  /** Every round's CPU µs per request. */
  cpuRounds?: number[];
}

/** The middle value (the mean of the two middle ones for an even count). */
export const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
};

/**
 * Shared machines drift (other tenants, CPU frequency): one warm-up run per scenario (JIT, caches,
 * connections), then `rounds` rounds that each run every scenario once, in turn, so drift hits
 * all of them alike; each round starts one scenario later than the one before, so none always
 * runs first (or always right after a given other one). Each scenario reports the median of its rounds.
 */
export async function measureInRounds(
  scenarios: readonly Scenario[],
  {
    rounds,
    durationMs,
    warmupMs,
    onRun,
  }: {
    rounds: number;
    durationMs: number;
    warmupMs: number;
    onRun?: (scenario: Scenario, result: LoadResult, round: number) => void;
  },
): Promise<ScenarioResult[]> {
  for (const scenario of scenarios)
    if (scenario.maxRounds === undefined) await scenario.run(warmupMs);
  const runs = scenarios.map(() => [] as LoadResult[]);
  const cpuRuns = scenarios.map(() => [] as number[]);
  for (let round = 1; round <= rounds; round++) {
    for (let turn = 0; turn < scenarios.length; turn++) {
      const index = (turn + round - 1) % scenarios.length;
      const scenario = scenarios[index];
      if (!scenario || round > (scenario.maxRounds ?? rounds)) continue;
      const cpuBefore = scenario.cpuMs?.();
      const result = await scenario.run(durationMs);
      if (scenario.cpuMs && cpuBefore !== undefined && result.requests > 0)
        cpuRuns[index]?.push(((scenario.cpuMs() - cpuBefore) * 1000) / result.requests);
      runs[index]?.push(result);
      onRun?.(scenario, result, round);
    }
  }
  return scenarios.map((scenario, index) => {
    const results = runs[index] ?? [];
    const cpuRounds = cpuRuns[index] ?? [];
    return {
      scenario: scenario.name,
      concurrency: scenario.concurrency,
      rpsRounds: results.map((result) => result.rps),
      ...(cpuRounds.length > 0 ? { cpuUsPerRequest: median(cpuRounds), cpuRounds } : {}),
      result: {
        requests: results.reduce((sum, result) => sum + result.requests, 0),
        errors: results.reduce((sum, result) => sum + result.errors, 0),
        rps: median(results.map((result) => result.rps)),
        p50Ms: median(results.map((result) => result.p50Ms)),
        p99Ms: median(results.map((result) => result.p99Ms)),
      },
    };
  });
}
