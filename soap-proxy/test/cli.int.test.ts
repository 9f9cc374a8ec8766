import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from '@manifold/platform/testing';
import { describe, expect, it, vi } from 'vitest';
import { startSupplier, SUPPLIER_WSDL } from './support.ts';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const WSDL = fileURLToPath(
  new URL(
    '../../test/fixtures/wsdl/oorsprong-countryinfo/CountryInfoService.wsdl',
    import.meta.url,
  ),
);

const cli = async (...args: string[]) => {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
};

describe('node soap-proxy/src/cli.ts', () => {
  it('openapi <wsdl> prints the OpenAPI document for a WSDL nobody configured', async () => {
    const { code, stdout } = await cli('openapi', WSDL, '--service', 'countries');
    expect(code).toBe(0);
    const document = JSON.parse(stdout) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toContain('/api/v1/countries/CapitalCity');
  });

  it('says what is wrong with a missing WSDL, without a stack trace', async () => {
    const { code, stderr } = await cli('openapi', '/no/such/service.wsdl');
    expect(code).toBe(1);
    expect(stderr).toMatch(/^soap-proxy: .*no such file/);
    expect(stderr).not.toContain('    at ');
  });

  it('prints usage for an unknown command', async () => {
    const { code, stderr } = await cli('frobnicate');
    expect(code).toBe(2);
    expect(stderr).toContain('usage:');
  });
});

describe('node soap-proxy/src/cli.ts serve', () => {
  it('serves a WSDL nobody configured, against the real supplier', async () => {
    const supplier = await startSupplier();
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        CLI,
        'serve',
        '--wsdl',
        SUPPLIER_WSDL,
        '--endpoint',
        `${supplier.url}/`,
        '--port',
        String(port),
        '--service',
        'stock',
      ],
      { stdio: 'ignore' },
    );
    try {
      // Until the CLI listens (a busy machine may take several seconds to start Node and load the WSDL).
      const answer = await vi.waitFor(
        () =>
          fetch(`http://127.0.0.1:${port}/api/v1/stock/GetStockLevel`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ sku: 'SKU-00005' }),
          }),
        { timeout: 30_000, interval: 200 },
      );
      expect(answer.status).toBe(200);
      expect(((await answer.json()) as { level: { sku: string } }).level.sku).toBe('SKU-00005');
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
      await supplier.stop();
    }
  });
});
