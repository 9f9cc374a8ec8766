import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadGatewayConfig } from './load-config.ts';

describe('loadGatewayConfig: where the supergraph comes from', () => {
  it('reads the supergraph file by default, with usage reporting off', () => {
    const config = loadGatewayConfig({});
    expect(config.supergraph.kind).toBe('file');
    expect(config.usageReporting).toBeUndefined();
  });

  it('follows the registry with SUPERGRAPH_SOURCE, reading no file', () => {
    const config = loadGatewayConfig({
      SUPERGRAPH_SOURCE: 'http://registry.internal:4400',
      SUPERGRAPH_PATH: '/no/such/file.graphql',
      SUPERGRAPH_SOURCE_API_KEY: 'mfk_test',
      SUBGRAPH_PRODUCTS_URL: 'http://products.internal/graphql',
    });
    if (config.supergraph.kind !== 'registry') throw new Error('expected the registry');
    expect(config.supergraph.url).toBe('http://registry.internal:4400');
    expect(config.supergraph.apiKey?.value()).toBe('mfk_test');
    expect(config.supergraph.overrides.get('SUBGRAPH_PRODUCTS_URL')).toBe(
      'http://products.internal/graphql',
    );
  });

  it('reports usage with the registry key unless it has its own (never printing either)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'usage-key-'));
    writeFileSync(join(dir, 'key'), 'mfk_usage\n');
    const shared = loadGatewayConfig({
      SUPERGRAPH_SOURCE: 'http://registry:4400',
      SUPERGRAPH_SOURCE_API_KEY: 'mfk_read',
      USAGE_REPORTING_URL: 'http://registry:4400',
    });
    expect(shared.usageReporting?.apiKey?.value()).toBe('mfk_read');
    expect(JSON.stringify(shared.usageReporting)).not.toContain('mfk_read');
    const own = loadGatewayConfig({
      USAGE_REPORTING_URL: 'http://registry:4400',
      USAGE_REPORTING_API_KEY_FILE: join(dir, 'key'),
    });
    expect(own.usageReporting).toMatchObject({ registryUrl: 'http://registry:4400' });
    expect(own.usageReporting?.apiKey?.value()).toBe('mfk_usage');
  });

  it('lists every problem of a bad registry configuration at once', () => {
    expect(() =>
      loadGatewayConfig({
        SUPERGRAPH_SOURCE: 'registry:4400',
        SUPERGRAPH_SOURCE_API_KEY: 'a',
        SUPERGRAPH_SOURCE_API_KEY_FILE: '/x',
        USAGE_REPORTING_URL: 'ftp://registry',
      }),
    ).toThrow(
      /SUPERGRAPH_SOURCE[\s\S]*USAGE_REPORTING_URL[\s\S]*set SUPERGRAPH_SOURCE_API_KEY or SUPERGRAPH_SOURCE_API_KEY_FILE, not both/,
    );
  });
});
