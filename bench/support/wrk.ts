// wrk (C, from Debian's packages) as the load generator for throughput scenarios: a Node load
// generator tops out near the rates the services under test reach, and would measure itself.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pinnedTo } from './pin.ts';
import type { LoadResult } from './load.ts';

const run = promisify(execFile);

/** Fails with the install command when wrk is missing. */
export function requireWrk(): void {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
  } catch (error) {
    // wrk --version exits 1 after printing its version; only a missing binary is a problem.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error('The benchmarks need wrk: apt-get install -y wrk (or brew install wrk)', {
        cause: error,
      });
  }
}

export interface WrkOptions {
  url: string;
  connections: number;
  durationMs: number;
  /** A Lua `request = function() … end` body choosing each request (method, path, headers, body). */
  script?: string;
  /** Sent with every request (for a static request: no Lua, the cheapest for wrk to generate). */
  headers?: Record<string, string>;
  /** Pin wrk to these CPUs (`taskset -c`). */
  cpus?: string;
}

const toMs = (value: string, unit: string) =>
  Number(value) * ({ us: 0.001, ms: 1, s: 1_000 }[unit] ?? Number.NaN);

/**
 * Runs wrk once (one thread) and reads RPS, p50, p99 and errors (non-2xx/3xx answers and socket
 * errors) from its report. Callers check once beforehand that the answer is the one they mean to
 * measure (a HIT, a 304): wrk cannot tell.
 */
export async function runWrk({
  url,
  connections,
  durationMs,
  script,
  headers = {},
  cpus,
}: WrkOptions): Promise<LoadResult> {
  const args = ['-t1', `-c${connections}`, `-d${Math.round(durationMs / 1000)}s`, '--latency'];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
  const scriptDir = script === undefined ? undefined : mkdtempSync(join(tmpdir(), 'wrk-'));
  if (script !== undefined && scriptDir !== undefined) {
    const file = join(scriptDir, 'script.lua');
    writeFileSync(file, script);
    args.push('-s', file);
  }
  args.push(url);
  const [command, commandArgs] = pinnedTo(cpus, ['wrk', ...args]);
  let stdout: string;
  try {
    ({ stdout } = await run(command, commandArgs, { maxBuffer: 1 << 20 }));
  } finally {
    if (scriptDir !== undefined) rmSync(scriptDir, { recursive: true, force: true });
  }
  const number = (pattern: RegExp) => Number(pattern.exec(stdout)?.[1] ?? Number.NaN);
  const percentile = (p: string) => {
    const match = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(stdout);
    return match ? toMs(match[1] ?? '', match[2] ?? '') : Number.NaN;
  };
  const requests = number(/(\d+) requests in/);
  const non2xx = number(/Non-2xx or 3xx responses: (\d+)/) || 0;
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
    stdout,
  );
  // Read errors are left out: wrk counts every connection the server closes after answering
  // (PHP's built-in server sends Connection: close) as one, so they are not failed requests.
  const [, connect = '0', , write = '0', timedOut = '0'] = socketErrors ?? [];
  const errors = non2xx + Number(connect) + Number(write) + Number(timedOut);
  return {
    requests,
    errors,
    rps: number(/Requests\/sec:\s+([\d.]+)/),
    p50Ms: percentile('50'),
    p99Ms: percentile('99'),
  };
}
