// runService as a supervisor sees it: a real process, stopped by a signal or by its supervisor's
// disappearance, that drains what it is serving and always exits.
import { type ChildProcess, spawn, type StdioOptions } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';

const FIXTURE = fileURLToPath(new URL('fixtures/drain-service.ts', import.meta.url));
const started: ChildProcess[] = [];

afterEach(() => {
  for (const child of started.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** Starts the fixture and resolves with its URL (from its "listening" log line). */
async function startFixture(
  env: Record<string, string> = {},
  stdio: StdioOptions = ['ignore', 'pipe', 'pipe'],
): Promise<{
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<[number | null, string | null]>;
}> {
  const child = spawn(process.execPath, [FIXTURE], { env: { ...process.env, ...env }, stdio });
  started.push(child);
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"url":"([^"]+)"/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    void exited.then(() => {
      reject(new Error(`fixture exited before listening:\n${output}`));
    });
  });
  return { child, url, output: () => output, exited };
}

describe('runService', () => {
  it('exits on SIGTERM after its supervisor died and closed the other end of its stdout', async () => {
    const { child, url, exited } = await startFixture();
    child.stdout?.destroy(); // the launcher is gone: every log line now meets EPIPE
    child.stderr?.destroy();
    expect(await (await fetch(url)).text()).toBe('done');
    child.kill('SIGTERM');
    expect(await exited).toEqual([0, null]);
  });

  it('drains and exits when the IPC channel to its supervisor closes', async () => {
    const { child, url, output, exited } = await startFixture({}, [
      'ignore',
      'pipe',
      'pipe',
      'ipc',
    ]);
    const slow = fetch(`${url}/slow`).then((response) => response.text());
    await vi.waitFor(() => {
      expect(output()).toContain('request received');
    });
    child.disconnect(); // as when the supervisor is SIGKILLed
    expect(await slow).toBe('done');
    expect(await exited).toEqual([0, null]);
  });

  it('lets repeated SIGINT/SIGTERM (Ctrl-C, forwarded by npm) not cut the drain short', async () => {
    const { child, url, output, exited } = await startFixture({ SLOW_MS: '1000' });
    const slow = fetch(`${url}/slow`).then((response) => response.text());
    await vi.waitFor(() => {
      expect(output()).toContain('request received');
    });
    // Each signal once the previous one was handled: pending signals of one kind coalesce.
    const handled = () => output().match(/shutting down/g)?.length ?? 0;
    child.kill('SIGINT');
    await vi.waitFor(() => {
      expect(handled()).toBe(1);
    });
    child.kill('SIGINT');
    await vi.waitFor(() => {
      expect(handled()).toBe(2);
    });
    child.kill('SIGTERM');
    expect(await slow).toBe('done');
    expect(await exited).toEqual([0, null]);
  });

  it('exits with code 1 once closing overruns grace + close budget', async () => {
    const { child, exited } = await startFixture({
      HANG_ON_CLOSE: '1',
      GRACE_MS: '100',
      CLOSE_BUDGET_MS: '200',
    });
    child.kill('SIGTERM');
    expect(await exited).toEqual([1, null]);
  });
});
