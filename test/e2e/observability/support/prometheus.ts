import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { freePort, REPO_ROOT } from '../../support/processes.ts';

export interface PrometheusServer {
  url: string;
  /** Instant query; the result vector. */
  query: (promql: string) => Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** Alerts as Prometheus' own API lists them (pending and firing). */
  alerts: () => Promise<{ labels: Record<string, string>; state: string; activeAt: string }[]>;
  stop: () => Promise<void>;
}

/**
 * A real Prometheus (Debian's package) on a free port with its own storage, scraping `targets`
 * (job name → host:port) every second and evaluating deploy/prometheus/alerts.yml every second,
 * each rule's `for` shortened to `forSeconds`.
 */
export async function startPrometheus({
  targets,
  forSeconds,
}: {
  targets: Record<string, string>;
  forSeconds: number;
}): Promise<PrometheusServer> {
  const scratch = mkdtempSync(join(tmpdir(), 'prometheus-e2e-'));
  const rules = parse(readFileSync(join(REPO_ROOT, 'deploy/prometheus/alerts.yml'), 'utf8')) as {
    groups: { rules: { for?: string }[] }[];
  };
  for (const group of rules.groups)
    for (const rule of group.rules) if (rule.for) rule.for = `${forSeconds}s`;
  writeFileSync(join(scratch, 'alerts.yml'), stringify(rules));
  writeFileSync(
    join(scratch, 'prometheus.yml'),
    stringify({
      global: { scrape_interval: '1s', scrape_timeout: '900ms', evaluation_interval: '1s' },
      rule_files: ['alerts.yml'],
      scrape_configs: Object.entries(targets).map(([job, target]) => ({
        job_name: job,
        static_configs: [{ targets: [target] }],
      })),
    }),
  );
  const port = await freePort();
  let child: ChildProcess;
  try {
    child = spawn(
      'prometheus',
      [
        `--config.file=${join(scratch, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(scratch, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    await Promise.race([
      once(child, 'spawn'),
      once(child, 'error').then(([error]) => {
        throw error as Error;
      }),
    ]);
  } catch (error) {
    throw new Error('This test needs Prometheus: apt-get install -y prometheus', { cause: error });
  }
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null)
      throw new Error(`prometheus exited (${child.exitCode}):\n${output}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (attempt > 150) throw new Error(`prometheus was not ready at ${url}:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${url}/api/v1/${path}`);
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success')
      throw new Error(`Prometheus ${path}: ${body.error ?? response.status}`);
    return body.data;
  };
  return {
    url,
    query: async (promql) =>
      (
        await api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(
          `query?query=${encodeURIComponent(promql)}`,
        )
      ).result,
    alerts: async () =>
      (
        await api<{
          alerts: { labels: Record<string, string>; state: string; activeAt: string }[];
        }>('alerts')
      ).alerts,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
