// nginx (C, from Debian's packages) as the destination deliveries are POSTed to, where a benchmark
// measures the sender: on these two cores the destination shares a core with Redis, and a Node
// HTTP server there cost about 70 µs of that core per request — as much of Redis's core as our
// whole request to it — so it, not the worker under test, set much of the rate (docs/benchmarks.md).
// It answers 200 to every request with the body read and discarded, keeps connections open, and
// counts requests with its stub_status module.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@manifold/platform/testing';
import { pinnedTo } from './pin.ts';

/** Where nginx is in Debian's packages (not on PATH for every user: /usr/sbin). */
const NGINX = '/usr/sbin/nginx';

/** Fails with the install command when nginx is missing. */
export function requireNginx(): void {
  try {
    execFileSync(NGINX, ['-v'], { stdio: 'ignore' });
  } catch (error) {
    throw new Error('The benchmark needs nginx: apt-get install -y nginx-light', { cause: error });
  }
}

export interface NginxSink {
  /** Where deliveries go (any path answers 200). */
  url: string;
  /** Requests it answered (its own status requests not counted). */
  requests: () => Promise<number>;
  close: () => Promise<void>;
}

/** Starts nginx (one worker process) on a free loopback port, pinned to `cpus`. */
export async function startNginxSink({ cpus }: { cpus?: string } = {}): Promise<NginxSink> {
  requireNginx();
  const dir = mkdtempSync(join(tmpdir(), 'bench-nginx-'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'nginx.conf'),
    `worker_processes 1;
daemon off;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} error;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'body')};
  # One connection per delivery slot for the whole run, as with a keep-alive destination.
  keepalive_requests 10000000;
  keepalive_timeout 300s;
  server {
    listen 127.0.0.1:${port};
    location = /nginx-status { stub_status; }
    location / { return 200; }
  }
}
`,
  );
  const [command, args] = pinnedTo(cpus, [NGINX, '-p', dir, '-c', join(dir, 'nginx.conf')]);
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  // stub_status counts every request read, its own among them.
  let statusRequests = 0;
  const requests = async () => {
    const response = await fetch(`${base}/nginx-status`);
    statusRequests++;
    const status = await response.text();
    const counts = /\n\s*(\d+)\s+(\d+)\s+(\d+)\s*\n/.exec(status);
    if (!counts) throw new Error(`nginx answered its status as ${JSON.stringify(status)}`);
    return Number(counts[3]) - statusRequests;
  };
  for (let tries = 0; ; tries++) {
    try {
      await requests();
      break;
    } catch (error) {
      if (child.exitCode !== null || tries > 100)
        throw new Error(`nginx did not start (see ${join(dir, 'error.log')})`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    url: `${base}/events`,
    requests,
    close: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
