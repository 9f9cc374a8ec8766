// `npm start` as a user runs it: every service up behind one command, a table of URLs, and
// nothing left running once the launcher is told to stop — or loses its parent.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SERVICES } from '../../../scripts/services.ts';
import { testUserToken } from '../../../upstreams/identity-provider/src/tokens.ts';
import { freePort, REPO_ROOT } from '../support/processes.ts';

const portVariable = (name: string) => `${name.toUpperCase().replaceAll('-', '_')}_PORT`;

async function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}

async function allClosed(ports: number[], withinMs: number): Promise<number[]> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const open = (
      await Promise.all(ports.map(async (port) => ((await portAnswers(port)) ? port : 0)))
    ).filter(Boolean);
    if (open.length === 0 || Date.now() > deadline) return open;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface Launched {
  npm: ChildProcess;
  ports: Record<string, number>;
  /** The data directory every service writes to (databases, the provider's secrets). */
  data: string;
  output: () => string;
}

let launched: Launched | undefined;
afterEach(async () => {
  // Whatever a failed test left behind: ask the launcher to stop its services, then make sure.
  const pid = launched?.npm.pid;
  if (launched && pid !== undefined) {
    const signal = (name: NodeJS.Signals) => {
      try {
        process.kill(-pid, name);
      } catch {
        // gone
      }
    };
    signal('SIGTERM');
    await allClosed(Object.values(launched.ports), 20_000);
    signal('SIGKILL');
  }
  launched = undefined;
});

async function npmStart(): Promise<Launched> {
  const data = mkdtempSync(join(tmpdir(), 'manifold-launcher-'));
  const ports: Record<string, number> = {};
  for (const service of SERVICES) ports[service.name] = await freePort();
  const npm = spawn('npm', ['start'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      ...Object.fromEntries(
        SERVICES.map((service) => [portVariable(service.name), String(ports[service.name])]),
      ),
      USERS_DATABASE_PATH: join(data, 'users.sqlite'),
      PRODUCTS_DATABASE_PATH: join(data, 'products.sqlite'),
      ORDERS_DATABASE_PATH: join(data, 'orders.sqlite'),
      CONTENT_DATABASE_PATH: join(data, 'content.sqlite'),
      SUPPLIER_DATABASE_PATH: join(data, 'supplier.sqlite'),
      LEGACY_DATABASE_PATH: join(data, 'legacy.sqlite'),
      LEGACY_SESSION_PATH: join(data, 'legacy-sessions'),
      IDP_DATA_DIR: join(data, 'identity-provider'),
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own group, so afterEach can clean up whatever a failure leaves
  });
  let output = '';
  npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  launched = { npm, ports, data, output: () => output };
  const deadline = Date.now() + 120_000;
  while (!output.includes('Press Ctrl-C to stop.')) {
    if (npm.exitCode !== null) throw new Error(`npm start exited (${npm.exitCode}):\n${output}`);
    if (Date.now() > deadline) throw new Error(`npm start was not up within 120 s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return launched;
}

describe('npm start', () => {
  it('starts every service, prints where each listens, prefixes logs, and stops them all on SIGTERM', async () => {
    const { npm, ports, data, output } = await npmStart();
    for (const service of SERVICES) {
      expect(output()).toContain(`http://127.0.0.1:${ports[service.name]}`);
      expect(await portAnswers(ports[service.name]!)).toBe(true);
    }
    expect(output()).toMatch(/^gateway\s+│ /m);
    // What the README shows: a test user's token from the provider npm start runs, then the gateway.
    const secret = (path: string) =>
      readFileSync(join(data, 'identity-provider/secrets', path), 'utf8');
    const token = await testUserToken({
      issuer: `http://127.0.0.1:${ports['identity-provider']}`,
      clientSecret: secret('clients/manifold-cli'),
      username: '1',
      password: secret('test-user-password'),
    });
    const answer = await fetch(`http://127.0.0.1:${ports['gateway']}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ me { id orders(first: 1) { totalCount } } }' }),
    });
    const body = (await answer.json()) as {
      data: { me: { id: string; orders: { totalCount: number } } };
    };
    expect(body.data.me.id).toBe('1');
    expect(body.data.me.orders.totalCount).toBeGreaterThan(0);

    const exited = once(npm, 'exit');
    npm.kill('SIGTERM'); // the npm process itself, as a process manager would
    await exited;
    expect(await allClosed(Object.values(ports), 20_000)).toEqual([]);
    expect(output()).toContain('manifold: stopped');
  });

  it('stops every service when its parent dies without passing a signal on', async () => {
    const { npm, ports } = await npmStart();
    npm.kill('SIGKILL'); // npm gone at once: the launcher is orphaned
    expect(await allClosed(Object.values(ports), 25_000)).toEqual([]);
  });
});
