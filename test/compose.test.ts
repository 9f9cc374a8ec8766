import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadEnv } from '@manifold/platform/config';
import type { z } from 'zod';
import { SUBGRAPH_NAMES } from '@manifold/platform/contracts';
import { SERVICES } from '../scripts/services.ts';

// No Docker engine runs here: check the compose file against the code instead of booting it.
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface ComposeService {
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
/** Compose services that run one of ours: `node [--import …] <entry>` or `php -S … <entry>`. */
const ours = Object.entries(compose.services).flatMap(([name, service]) => {
  const entry =
    service.command?.[0] === 'node' || service.command?.[0] === 'php'
      ? service.command.at(-1)
      : undefined;
  return entry === undefined ? [] : [{ name, service, entry }];
});

async function envSchemaOf(entry: string): Promise<z.ZodObject | undefined> {
  const definition = SERVICES.find((service) => service.entry === entry);
  if (!definition) throw new Error(`${entry} is not in scripts/services.ts`);
  if (!definition.envSchema) return undefined;
  const module = (await import(join(ROOT, definition.envSchema.module))) as Record<
    string,
    z.ZodObject
  >;
  return module[definition.envSchema.exportName];
}
const envKeysOf = async (entry: string) => {
  const schema = await envSchemaOf(entry);
  return schema && new Set(Object.keys(schema.shape));
};

describe('docker-compose.yml', () => {
  it('runs every service of the registry', () => {
    const entries = new Set(ours.map(({ entry }) => entry));
    for (const service of SERVICES.filter((candidate) => candidate.runtime !== 'redis'))
      expect(entries, service.name).toContain(service.entry);
  });

  it("gives the webhooks queue a Redis that keeps what it acknowledged (AOF, noeviction), not the cache's", () => {
    const url = compose.services['webhooks']?.environment?.['WEBHOOKS_REDIS_URL'] ?? '';
    const command = compose.services[new URL(url).hostname]?.command?.join(' ') ?? '';
    expect(command).toMatch(/^redis-server /);
    expect(command).toContain('--appendonly yes');
    expect(command).toContain('--maxmemory-policy noeviction');
  });

  it('starts each service from an entry file that exists', () => {
    for (const { name, entry } of ours) expect(existsSync(join(ROOT, entry)), name).toBe(true);
  });

  it("sets only variables the service's config knows", async () => {
    // The webhooks file's destination URLs are `${VARIABLES}` it interpolates itself; a
    // destination's `apiKey: VARIABLE` names the variable holding its key.
    const webhooksFileVariables = new Set(
      [
        ...read('deploy/webhooks.yaml').matchAll(
          /\$\{([A-Z][A-Z0-9_]*)|^\s*apiKey:\s*([A-Z][A-Z0-9_]*)\s*$/gm,
        ),
      ].map((match) => match[1] ?? match[2]),
    );
    for (const { name, service, entry } of ours) {
      const known = await envKeysOf(entry);
      if (!known) continue;
      for (const key of Object.keys(service.environment ?? {})) {
        const override = /^SUBGRAPH_([A-Z0-9_]+)_URL$/.exec(key);
        const subgraph = override?.[1]?.toLowerCase();
        const ok =
          known.has(key) ||
          // Read by the telemetry every Node service starts with (and the SDK), not by its config.
          key.startsWith('OTEL_') ||
          (name === 'webhooks' && webhooksFileVariables.has(key)) ||
          (name.startsWith('gateway') &&
            subgraph !== undefined &&
            SUBGRAPH_NAMES.some((s) => s === subgraph));
        expect(ok, `${name}: ${key}`).toBe(true);
      }
    }
  });

  it("gives each variable a value the service's config accepts", async () => {
    for (const { name, service, entry } of ours) {
      const schema = await envSchemaOf(entry);
      if (!schema) continue;
      // ${VAR:-default} interpolations are the user's to set; check what compose would pass by default.
      const environment = Object.fromEntries(
        Object.entries(service.environment ?? {}).map(([key, value]) => [
          key,
          value.replace(/\$\{\w+:-([^}]*)\}/g, '$1'),
        ]),
      );
      expect(() => loadEnv(schema, environment), name).not.toThrow();
    }
  });

  it('starts every Node service with its telemetry, exported to the collector', () => {
    const telemetry = ['--import', './platform/src/telemetry/register.ts'];
    // The reference upstreams (PHP, the identity provider) stand in for systems we did not write.
    const ourNode = ours.filter(
      ({ service, entry }) => service.command?.[0] === 'node' && !entry.startsWith('upstreams/'),
    );
    for (const { name, service } of ourNode) {
      expect(service.command?.slice(1, 3), name).toEqual(telemetry);
      expect(service.environment?.['OTEL_EXPORTER_OTLP_ENDPOINT'], name).toBe(
        'http://otel-collector:4318',
      );
    }
    expect(read('Dockerfile')).toContain(`"${telemetry.join('", "')}"`);
  });

  it('mounts only files and folders that exist', () => {
    const mounts = Object.values(compose.services).flatMap((service) =>
      (service.volumes ?? [])
        .filter((volume) => volume.startsWith('./'))
        .map((volume) => volume.split(':')[0] ?? ''),
    );
    expect(mounts.length).toBeGreaterThanOrEqual(6);
    for (const mount of mounts) expect(existsSync(join(ROOT, mount)), mount).toBe(true);
  });

  it('has Prometheus scrape every Node service and Grafana provision one dashboard per family', () => {
    const prometheus = parse(read('deploy/prometheus/prometheus.yml')) as {
      rule_files: string[];
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const jobs = prometheus.scrape_configs.map((job) => job.job_name);
    for (const service of SERVICES.filter(
      (candidate) => candidate.runtime === 'node' && !candidate.entry.startsWith('upstreams/'),
    ))
      expect(jobs, service.name).toContain(service.name);
    for (const { job_name: job, static_configs: configs } of prometheus.scrape_configs)
      for (const target of configs.flatMap((config) => config.targets)) {
        const host = target.split(':')[0] ?? '';
        expect(compose.services[host], `${job}: ${target}`).toBeDefined();
      }
    expect(prometheus.rule_files).toEqual(['alerts.yml']);
    for (const dashboard of ['graphql.json', 'rest-facades.json']) {
      const parsed = JSON.parse(read(`deploy/grafana/dashboards/${dashboard}`)) as {
        uid: string;
        panels: unknown[];
      };
      expect(parsed.panels.length, dashboard).toBeGreaterThan(4);
    }
  });

  it('puts two gateway replicas sharing Redis behind the load balancer', () => {
    const gateways = ours.filter(({ entry }) => entry === 'gateway/src/main.ts');
    expect(gateways.length).toBeGreaterThanOrEqual(2);
    for (const { service } of gateways)
      expect(service.environment?.['REDIS_URL']).toBe('redis://redis:6379');
    const nginx = read('deploy/nginx.conf');
    for (const { name } of gateways) expect(nginx).toContain(`server ${name}:4000`);
    const balancer = compose.services['load-balancer'];
    expect(balancer?.volumes?.some((volume) => volume.startsWith('./deploy/nginx.conf:'))).toBe(
      true,
    );
  });

  it('builds from Dockerfiles that install every workspace', () => {
    const dockerfile = read('Dockerfile');
    const { workspaces } = JSON.parse(read('package.json')) as { workspaces: string[] };
    const packages = workspaces.flatMap((pattern) =>
      pattern === 'subgraphs/*' ? SUBGRAPH_NAMES.map((name) => `subgraphs/${name}`) : [pattern],
    );
    for (const workspace of packages)
      expect(dockerfile, workspace).toContain(`COPY ${workspace}/package.json`);
    expect(existsSync(join(ROOT, 'upstreams/soap-supplier/Dockerfile'))).toBe(true);
  });
});
