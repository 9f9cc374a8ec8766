import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

// Clock ticks per second of /proc's utime and stime (100 on every Linux we run on, asked anyway).
const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/**
 * CPU time (user + system, ms) a process has used so far, from /proc/<pid>/stat. Divided by the
 * requests it answered, it is what one request costs that process — a figure that holds on a busy
 * machine and when the load generator, not the process, is the bottleneck, where throughput does
 * not. On a saturated core, throughput is its inverse.
 */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces), from field 3: utime is 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/** `processCpuMs` of a child process that is running. */
export function cpuOfChild(child: { pid?: number | undefined }): () => number {
  const { pid } = child;
  if (pid === undefined) throw new Error('the process has no pid (not started?)');
  return () => processCpuMs(pid);
}
