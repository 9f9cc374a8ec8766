import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@manifold/platform/config';
import { describe, expect, it } from 'vitest';
import { loadProxyConfig } from './config.ts';

const dir = mkdtempSync(join(tmpdir(), 'soap-proxy-config-'));
writeFileSync(join(dir, 'service.wsdl'), '<definitions/>');
const write = (config: unknown) => {
  const path = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, typeof config === 'string' ? config : JSON.stringify(config));
  return path;
};
const problemsOf = (run: () => unknown): readonly string[] => {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};
/** The problems loading `config` (written to a file) reports. */
const problemsIn = (config: unknown) => problemsOf(() => loadProxyConfig(write(config)));

describe('loadProxyConfig', () => {
  it('resolves paths against the file and applies defaults', () => {
    const config = loadProxyConfig(write({ services: [{ name: 'a', wsdl: 'service.wsdl' }] }));
    expect(config.services[0]).toMatchObject({
      name: 'a',
      wsdl: join(dir, 'service.wsdl'),
      auth: { type: 'none' },
      timeoutMs: 5_000,
      maxResponseBytes: 10 * 1024 * 1024,
      resilience: { maxAttempts: 5 },
    });
  });

  it('reads ${VAR} and ${VAR:-default} from the environment', () => {
    const path = write(
      '{ "services": [{ "name": "a", "wsdl": "service.wsdl", "endpoint": "${SUPPLIER:-http://fallback/}" }] }',
    );
    expect(loadProxyConfig(path, {}).services[0]?.endpoint).toBe('http://fallback/');
    expect(loadProxyConfig(path, { SUPPLIER: 'http://real/' }).services[0]?.endpoint).toBe(
      'http://real/',
    );
  });

  it('lists every structural problem at once, each with its path', () => {
    const problems = problemsIn({
      services: [
        { name: '1bad', wsdl: 'service.wsdl', timeoutMs: -1 },
        { name: 'b', wsdl: 'service.wsdl', auth: { type: 'kerberos' }, extra: true },
      ],
    });
    expect(problems.length).toBeGreaterThanOrEqual(4);
    for (const where of [
      'services.0.name',
      'services.0.timeoutMs',
      'services.1.auth',
      'services.1',
    ])
      expect(
        problems.some((problem) => problem.includes(`: ${where}`)),
        where,
      ).toBe(true);
  });

  it('refuses duplicate service names and a TTL on an operation that is not safe', () => {
    const problems = problemsIn({
      services: [
        { name: 'a', wsdl: 'service.wsdl' },
        {
          name: 'a',
          wsdl: 'service.wsdl',
          operations: { Order: { safe: false, cacheTtlSeconds: 30 } },
        },
      ],
    });
    expect(problems).toHaveLength(2);
    expect(problems.some((problem) => problem.includes('services.1.name'))).toBe(true);
    expect(problems.some((problem) => problem.includes('operations.Order.cacheTtlSeconds'))).toBe(
      true,
    );
  });

  it('names every file that does not exist: the WSDL and mTLS certificate, key and CA', () => {
    const problems = problemsIn({
      services: [
        {
          name: 'a',
          wsdl: 'missing.wsdl',
          auth: { type: 'mtls', certPath: 'c.pem', keyPath: 'k.pem', caPath: 'ca.pem' },
        },
      ],
    });
    expect(problems.map((problem) => problem.split(': ')[1])).toEqual([
      'services.0.wsdl',
      'services.0.auth.certPath',
      'services.0.auth.keyPath',
      'services.0.auth.caPath',
    ]);
  });

  it('finds every kind of problem in one run, a wrong field hiding none of the others', () => {
    const problems = problemsIn({
      services: [
        { name: 'a', wsdl: 'service.wsdl', timeoutMs: -1 },
        {
          name: 'a',
          wsdl: '/nope.wsdl',
          operations: { Order: { cacheTtlSeconds: 30 } },
        },
      ],
    });
    expect(problems.map((problem) => problem.split(': ')[1]).sort()).toEqual([
      'services.0.timeoutMs',
      'services.1.name',
      'services.1.operations.Order.cacheTtlSeconds',
      'services.1.wsdl',
    ]);
  });

  it('reports a file that is not JSON as a config problem, not a crash', () => {
    expect(problemsOf(() => loadProxyConfig(write('{ nope'))).length).toBe(1);
    expect(problemsOf(() => loadProxyConfig(join(dir, 'absent.json'))).length).toBe(1);
  });
});
