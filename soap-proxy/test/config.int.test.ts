import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '@manifold/platform/config';
import { silentLogger } from '@manifold/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProxyConfig } from '../src/config.ts';
import { loadSoapServices } from '../src/services/load-services.ts';

const SUPPLIER_WSDL = fileURLToPath(
  new URL('../../upstreams/soap-supplier/supplier.wsdl', import.meta.url),
);
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'soap-proxy-services-'));
// A WSDL "URL" that answers 404, as a supplier's moved documentation would.
const gone = createServer((_req, res) => res.writeHead(404).end());
let goneUrl: string;
beforeAll(async () => {
  gone.listen(0, '127.0.0.1');
  await once(gone, 'listening');
  goneUrl = `http://127.0.0.1:${(gone.address() as AddressInfo).port}/service?wsdl`;
});
afterAll(() => {
  gone.close();
});

const configFile = () => {
  const path = join(dir, 'services.json');
  writeFileSync(
    path,
    JSON.stringify({
      services: [
        {
          name: 'supplier',
          wsdl: SUPPLIER_WSDL,
          operations: {
            GetStockLevel: { safe: true },
            GetStockLevle: { safe: true },
            CancelEverything: {},
          },
        },
        { name: 'moved', wsdl: goneUrl },
      ],
    }),
  );
  return path;
};

describe('loading the configured services', () => {
  it('reports every service problem at once: operations a WSDL lacks, a WSDL that cannot be loaded', async () => {
    let thrown: unknown;
    try {
      await loadSoapServices(loadProxyConfig(configFile()), silentLogger());
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const problems = (thrown as ConfigError).problems;
    expect(problems).toHaveLength(3);
    expect(problems.filter((problem) => problem.startsWith('supplier: operations.'))).toHaveLength(
      2,
    );
    expect(problems.some((problem) => problem.startsWith('moved: '))).toBe(true);
  });

  it('stops soap-proxy at start-up with exit 1, every problem listed, no stack trace', async () => {
    const child = spawn(process.execPath, ['soap-proxy/src/main.ts'], {
      cwd: REPO,
      env: { PATH: process.env['PATH'] ?? '', SOAP_PROXY_CONFIG: configFile(), PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    for (const name of ['GetStockLevle', 'CancelEverything', 'moved'])
      expect(output).toContain(name);
    expect(output).not.toMatch(/^\s+at /m);
  });
});
