import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { type CommandWrapper, freePort, runAsIs } from './processes.ts';

export interface PhpServer {
  url: string;
  /** What the server logged (stderr): its access lines, and the trace ids callers sent. */
  output: () => string;
  stop: () => Promise<void>;
}

/** Fails (never skips) with the install command when PHP or an extension the upstreams need is missing. */
export function requirePhp(extensions: readonly string[] = ['soap', 'pdo_sqlite']): void {
  let modules: string;
  try {
    modules = execFileSync('php', ['-m'], { encoding: 'utf8' }).toLowerCase();
  } catch {
    throw new Error(
      'These tests need PHP 8 (php-cli). Install it: apt-get install -y php-cli php-soap php-sqlite3',
    );
  }
  const missing = extensions.filter((extension) => !modules.split('\n').includes(extension));
  if (missing.length > 0)
    throw new Error(
      `PHP lacks ${missing.join(', ')}. Install: apt-get install -y php-cli php-soap php-sqlite3`,
    );
}

/** Starts `php -S` with a router script on a free loopback port and waits until `/healthz` answers. */
export async function startPhpServer({
  router,
  env = {},
  workers = 4,
  wrapCommand = runAsIs,
}: {
  router: string;
  env?: Record<string, string>;
  workers?: number;
  /** Wraps the command line (benchmarks pin the server and its workers to a core). @default runAsIs */
  wrapCommand?: CommandWrapper;
}): Promise<PhpServer> {
  requirePhp();
  const port = await freePort();
  const [command, args] = wrapCommand(['php', '-S', `127.0.0.1:${port}`, router]);
  const child: ChildProcess = spawn(command, args, {
    env: { ...process.env, PHP_CLI_SERVER_WORKERS: String(workers), ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
    // Its own process group: PHP_CLI_SERVER_WORKERS forks workers that outlive a signal to the master alone.
    detached: true,
  });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`php -S exited (${child.exitCode}):\n${output}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (attempt > 100) throw new Error(`php -S did not answer on ${url}:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    output: () => output,
    stop: async () => {
      // Already gone (exited, or killed by a signal: then exitCode stays null).
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
      await exited;
    },
  };
}
