// A service started with a bad environment stops before it listens, naming every problem at
// once — and prints no stack trace: the operator has a configuration to fix, not a bug to report.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/processes.ts';

async function run(entry: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [entry], {
    cwd: REPO_ROOT,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}

describe('a bad environment', () => {
  it('stops a subgraph with exit 1, listing every bad variable and no stack trace', async () => {
    const { code, output } = await run('subgraphs/users/src/main.ts', {
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      REDIS_URL: 'not a url',
    });
    expect(code).toBe(1);
    for (const variable of ['PORT', 'LOG_LEVEL', 'REDIS_URL']) expect(output).toContain(variable);
    expect(output).not.toMatch(/^\s+at /m);
  });

  it('stops the gateway with one report covering its variables, URL overrides and the supergraph', async () => {
    const { code, output } = await run('gateway/src/main.ts', {
      SHUTDOWN_GRACE_MS: '-5',
      SUBGRAPH_USERS_URL: 'ftp://users',
      SUPERGRAPH_PATH: '/no/such/supergraph.graphql',
    });
    expect(code).toBe(1);
    for (const variable of ['SHUTDOWN_GRACE_MS', 'SUBGRAPH_USERS_URL', 'SUPERGRAPH_PATH'])
      expect(output).toContain(variable);
    expect(output).not.toMatch(/^\s+at /m);
  });
});
