// One naming rule (openapi/service-name.ts): for every fixture WSDL, the paths `cli.ts openapi`
// documents are exactly the paths `cli.ts serve` serves, and a documented path is answered.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from '@manifold/platform/testing';
import { describe, expect, it, vi } from 'vitest';
import { FIXTURE_WSDLS } from './fixtures-list.ts';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

const pathsOf = (document: unknown) =>
  Object.keys((document as { paths: Record<string, unknown> }).paths).sort();

describe('cli.ts openapi and cli.ts serve publish the same paths', () => {
  for (const { name, file } of FIXTURE_WSDLS)
    it(name, async () => {
      const port = await freePort();
      // The WSDL's own address is never called: the POST below is refused (400) before any call.
      // Started first, so that its start-up and `openapi`'s overlap (each is a Node start).
      const child = spawn(
        process.execPath,
        [CLI, 'serve', '--wsdl', file, '--port', String(port)],
        {
          stdio: 'ignore',
        },
      );
      try {
        const { stdout } = await run(process.execPath, [CLI, 'openapi', file], {
          maxBuffer: 64 * 1024 * 1024,
        });
        const documented = pathsOf(JSON.parse(stdout));
        const served = await vi.waitFor(
          async () => (await fetch(`http://127.0.0.1:${port}/openapi.json`)).json(),
          { timeout: 30_000, interval: 100 },
        );
        expect(pathsOf(served)).toEqual(documented);
        const [first] = documented;
        const answer = await fetch(`http://127.0.0.1:${port}${first ?? ''}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ 'not a field': true }),
        });
        expect(answer.status).toBe(400);
      } finally {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    });
});
