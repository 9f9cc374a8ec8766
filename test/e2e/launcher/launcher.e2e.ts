// `npm start` with the whole stack, once per way a user runs and stops it: every service up
// behind one command, a table of URLs, a crashed service brought back while the others serve —
// and nothing left running afterwards, whoever stopped it and however.
import { createServer } from 'node:net';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it, vi } from 'vitest';
import { SERVICES } from '../../../scripts/services.ts';
import { testUserToken } from '../../../upstreams/identity-provider/src/tokens.ts';
import { E2E_DATA_DIR, graphql } from '../support/stack.ts';
import {
  expectNothingLeft,
  killLeftoversAfterEachTest,
  launch,
  type LauncherRun,
  portAnswers,
  processesOf,
  recordGroups,
  waitUntilUp,
} from './harness.ts';

killLeftoversAfterEachTest();

const gatewayOf = (started: LauncherRun) => `http://127.0.0.1:${started.ports['gateway']}`;
// Public: answers without a credential (the crash test queries it while soap-proxy is down).
const PUBLIC_QUERY = '{ products(first: 1) { totalCount } }';

/** What the README shows: a test user's token from the provider `npm start` runs. */
const userToken = (started: LauncherRun) => {
  const secret = (path: string) =>
    readFileSync(join(E2E_DATA_DIR, 'launcher-identity-provider/secrets', path), 'utf8');
  return testUserToken({
    issuer: `http://127.0.0.1:${String(started.ports['identity-provider'])}`,
    clientSecret: secret('clients/manifold-cli'),
    username: '1',
    password: secret('test-user-password'),
  });
};

describe('npm start, the whole stack', () => {
  it('in a terminal: every service answers, URLs and coloured prefixed logs are shown; Ctrl-C stops every process', async () => {
    const run = await launch({ via: 'pty' });
    await waitUntilUp(run);
    for (const service of SERVICES) {
      const scheme = service.runtime === 'redis' ? 'redis' : 'http';
      expect(run.output()).toContain(`${scheme}://127.0.0.1:${run.ports[service.name]}`);
      expect(await portAnswers(run.ports[service.name]!), service.name).toBe(true);
    }
    const ESC = '\u001b'; // a terminal gets coloured service names
    expect(run.output()).toMatch(new RegExp(`${ESC}\\[\\d+mgateway\\s+${ESC}\\[0m │ `));
    const answer = await fetch(`${gatewayOf(run)}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await userToken(run)}`,
      },
      body: JSON.stringify({ query: '{ me { id orders(first: 1) { totalCount } } }' }),
    });
    const { data } = (await answer.json()) as {
      data: { me: { id: string; orders: { totalCount: number } } };
    };
    expect(data.me.id).toBe('1');
    expect(data.me.orders.totalCount).toBeGreaterThan(0);
    // The webhooks queue's private Redis keeps what it acknowledges: AOF, fsync'd on every write,
    // never evicting, its files in the data dir the launcher was given (under .data/).
    const queueRedis = new Redis(run.ports['webhooks-redis']!, '127.0.0.1', { lazyConnect: true });
    try {
      await queueRedis.connect();
      const setting = async (name: string) => (await queueRedis.config('GET', name))[1];
      expect(await setting('appendonly')).toBe('yes');
      expect(await setting('appendfsync')).toBe('always');
      expect(await setting('maxmemory-policy')).toBe('noeviction');
      const dataDir = join(E2E_DATA_DIR, 'launcher-webhooks-redis');
      expect(await setting('dir')).toBe(dataDir);
      expect(readdirSync(join(dataDir, 'appendonlydir'))).toContainEqual(
        expect.stringMatching(/\.aof$/),
      );
    } finally {
      queueRedis.disconnect();
    }
    // The console's dead-letter panel reads the webhooks API with its own client credentials.
    const panel = await fetch(`http://127.0.0.1:${run.ports['console']}/panels/dead-letters`);
    expect(panel.status).toBe(200);
    expect(await panel.text()).toMatch(/<p class="summary" data-total="\d+">/);

    run.ctrlC();
    await expectNothingLeft(run);
  });

  it('brings a crashed service back while the others keep serving; SIGTERM to npm then stops every process', async () => {
    const run = await launch({ via: 'direct' });
    await waitUntilUp(run);
    const soapProxyPort = run.ports['soap-proxy']!;
    const soapProxy = () =>
      processesOf(run).find((process) => process.command.includes('soap-proxy/src/main.ts'));
    const crashed = soapProxy()?.pid;
    expect(crashed).toBeDefined();
    process.kill(crashed!, 'SIGKILL');

    await vi.waitFor(async () => {
      expect(await portAnswers(soapProxyPort)).toBe(false);
    });
    // While it is down, the gateway and the other facade still answer.
    const whileDown = await graphql<{ products: { totalCount: number } }>(
      gatewayOf(run),
      PUBLIC_QUERY,
    );
    expect(whileDown.body.errors).toBeUndefined();
    expect(whileDown.body.data?.products.totalCount).toBeGreaterThan(0);
    const legacy = await fetch(`http://127.0.0.1:${run.ports['legacy-rest-adapter']}/healthz`);
    expect(legacy.status).toBe(200);

    // Back, and said so: one line per change of state.
    await vi.waitFor(
      async () => {
        expect(run.output()).toMatch(/soap-proxy is up again/);
        expect((await fetch(`http://127.0.0.1:${soapProxyPort}/healthz`)).status).toBe(200);
      },
      { timeout: 30_000, interval: 200 },
    );
    expect(soapProxy()?.pid).not.toBe(crashed);
    expect(run.output()).toMatch(/soap-proxy crashed \(killed by SIGKILL\)/);
    expect(run.output()).toMatch(/soap-proxy restarting in 1 s/);
    // Back in the chain: products reaches the supplier through the restarted soap-proxy.
    const stock = await graphql<{ product: { supplierStock: { available: number } | null } }>(
      gatewayOf(run),
      '{ product(id: "1") { supplierStock { available } } }',
    );
    expect(stock.body.errors).toBeUndefined();
    expect(stock.body.data?.product.supplierStock?.available).toEqual(expect.any(Number));

    recordGroups(run); // the restarted service's group too
    run.root.kill('SIGTERM'); // npm itself, as a process manager would
    await expectNothingLeft(run);
  });

  it('SIGKILL to npm: the orphaned launcher stops every process', async () => {
    const run = await launch({ via: 'direct' });
    await waitUntilUp(run);
    run.root.kill('SIGKILL');
    await expectNothingLeft(run);
  });
});

describe('npm start, a reduced stack (PHP behind its guard, a facade, a subgraph)', () => {
  const only = ['soap-proxy', 'users'];

  // What the output goes to is the launcher's concern, not the services': the whole stack's Ctrl-C
  // is above, with the output to the terminal.
  it.each(['pipe', 'file'] as const)(
    'in a terminal, with its output to a %s: Ctrl-C stops every process',
    async (redirect) => {
      const run = await launch({ via: 'pty', redirect, only });
      await waitUntilUp(run);
      run.ctrlC(); // piped, `cat` dies first: the launcher loses its stdout while it stops
      await expectNothingLeft(run);
    },
  );

  it('SIGKILL to the launcher itself: every service notices its supervisor is gone and stops', async () => {
    const run = await launch({ via: 'direct', only });
    await waitUntilUp(run);
    const launcher = processesOf(run).find((process) =>
      process.command.includes('scripts/start.ts'),
    );
    expect(launcher).toBeDefined();
    process.kill(launcher!.pid, 'SIGKILL');
    await expectNothingLeft(run);
  });

  it('reports a busy port, starts nothing and exits 1', async () => {
    const squatter = createServer().listen(0, '127.0.0.1');
    await once(squatter, 'listening');
    const { port } = squatter.address() as { port: number };
    try {
      const run = await launch({ via: 'direct', only, env: { USERS_PORT: String(port) } });
      const [code] = (await run.exited) as [number | null];
      expect(code).toBe(1);
      expect(run.output()).toContain(`port ${port} (users) is already in use`);
      expect(processesOf(run)).toEqual([]);
    } finally {
      squatter.close();
    }
  });
});
