// A flood of one GraphQL request, as an attacker's own process would send it (bench:protection
// runs it as a child at the lowest CPU priority: an attacker's CPU is not ours). Reads its task
// from argv as JSON ({ url, headers, bodyFile, connections, durationMs }), prints `ready` once it
// can start, floods for durationMs after a line on stdin, then prints the answers it got by HTTP
// status (network errors as "error") as one JSON line, and exits.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Pool } from 'undici';
import { runLoad } from './load.ts';

interface FloodTask {
  url: string;
  headers: Record<string, string>;
  /** The request body, in a file (too large for argv). */
  bodyFile: string;
  connections: number;
  durationMs: number;
}

const task = JSON.parse(process.argv[2] ?? '{}') as FloodTask;
const body = readFileSync(task.bodyFile, 'utf8');
const pool = new Pool(task.url, { connections: task.connections });
const answers: Record<string, number> = {};
const lines = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
await once(lines, 'line');
await runLoad(
  async () => {
    try {
      const response = await pool.request({
        method: 'POST',
        path: '/graphql',
        headers: task.headers,
        body,
        headersTimeout: 30_000,
      });
      await response.body.dump();
      answers[response.statusCode] = (answers[response.statusCode] ?? 0) + 1;
    } catch {
      answers['error'] = (answers['error'] ?? 0) + 1;
    }
  },
  { concurrency: task.connections, durationMs: task.durationMs, warmupMs: 0 },
);
process.stdout.write(`${JSON.stringify(answers)}\n`);
lines.close();
await pool.close();
