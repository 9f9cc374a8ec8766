import { copyFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  apiKeyId,
  frontDoorAuthFromEnv,
  generateApiKey,
  hashApiKey,
} from '@manifold/platform/auth';
import { loadEnv } from '@manifold/platform/config';
import { silentLogger } from '@manifold/platform/testing';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { GatewayEnv } from '../gateway/src/config.ts';
import { LegacyAdapterEnv } from '../legacy-rest-adapter/src/config.ts';
import { loadWebhooksFile } from '../webhooks/src/settings/webhooks-file.ts';
import { destinationKeysWiring, followAccessFile } from './destination-keys-wiring.ts';

const deployFile = (name: string) => fileURLToPath(new URL(`../deploy/${name}`, import.meta.url));
const options = (env: NodeJS.ProcessEnv = {}, webhooksRunning = true) => ({
  webhooksRunning,
  accessFile: deployFile('access.yaml'),
  dataDir: mkdtempSync(join(tmpdir(), 'destination-keys-')),
  env,
});

const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
});

/**
 * A front door as `npm start` starts it, its environment through its real config loader and
 * authentication: answers who a request's x-api-key proves, or 401.
 */
async function frontDoor(
  env: Record<string, string>,
  schema: typeof LegacyAdapterEnv | typeof GatewayEnv,
) {
  const auth = frontDoorAuthFromEnv(
    { ...loadEnv(schema, { ...env, NODE_ENV: 'production' }), OIDC_ISSUER: undefined },
    silentLogger(),
  );
  const server = createServer((req, res) => {
    Promise.resolve()
      .then(() => auth.authenticate(req))
      .then(
        (caller) => {
          res.end(JSON.stringify({ clientId: caller.clientId, scopes: [...caller.scopes].sort() }));
        },
        () => {
          res.statusCode = 401;
          res.end();
        },
      );
  });
  server.on('close', () => {
    auth.close();
  });
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return (key: string) => fetch(url, { headers: { 'x-api-key': key } });
}

describe('destinationKeysWiring', () => {
  it('gives the webhooks service a key per reference destination, accepted by the adapter and the gateway', async () => {
    const first = options();
    const wiring = destinationKeysWiring(first);
    const ticketsFile = join(first.dataDir, 'webhooks', 'keys', 'webhooks-tickets');
    const ordersFile = join(first.dataDir, 'webhooks', 'keys', 'webhooks-orders');
    const accessFile = join(first.dataDir, 'access.yaml');
    expect(wiring).toEqual({
      webhooks: {
        WEBHOOKS_TICKETS_API_KEY_FILE: ticketsFile,
        WEBHOOKS_ORDERS_API_KEY_FILE: ordersFile,
      },
      'legacy-rest-adapter': { ACCESS_FILE: accessFile },
      gateway: { ACCESS_FILE: accessFile },
    });
    for (const file of [ticketsFile, ordersFile, accessFile])
      expect(statSync(file).mode & 0o777).toBe(0o600);

    // The webhooks service, as deploy/webhooks.yaml configures it: both destinations in, keyed.
    const webhooks = loadWebhooksFile(deployFile('webhooks.yaml'), {
      ...wiring['webhooks'],
      WEBHOOKS_STRIPE_SECRET: 'whsec_x',
    });
    expect(webhooks.skipped).toEqual([]);
    const ticketsKey = webhooks.destinations['tickets']!.apiKey!.value();
    const ordersKey = webhooks.destinations['orders']!.apiKey!.value();

    const adapter = await frontDoor(wiring['legacy-rest-adapter']!, LegacyAdapterEnv);
    const gateway = await frontDoor(wiring['gateway']!, GatewayEnv);
    expect(await (await adapter(ticketsKey)).json()).toEqual({
      clientId: 'webhooks-tickets',
      scopes: ['tickets:write'],
    });
    expect(await (await gateway(ordersKey)).json()).toEqual({
      clientId: 'webhooks-orders',
      scopes: ['orders:admin', 'orders:read', 'orders:write'],
    });
    expect((await adapter(generateApiKey().key)).status).toBe(401);
    expect((await gateway(ordersKey.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')))).status).toBe(
      401,
    );

    // A second start keeps the install's keys.
    destinationKeysWiring(first);
    expect(readFileSync(ticketsFile, 'utf8').trim()).toBe(ticketsKey);
    expect(readFileSync(ordersFile, 'utf8').trim()).toBe(ordersKey);
  });

  it("leaves out a destination whose key the operator set, and everything when the webhooks service doesn't run", () => {
    const wiring = destinationKeysWiring(options({ WEBHOOKS_TICKETS_API_KEY_FILE: '/run/key' }));
    expect(wiring['webhooks']).not.toHaveProperty('WEBHOOKS_TICKETS_API_KEY_FILE');
    expect(wiring['webhooks']).toHaveProperty('WEBHOOKS_ORDERS_API_KEY_FILE');
    expect(wiring).not.toHaveProperty('legacy-rest-adapter');
    expect(destinationKeysWiring(options({}, false))).toEqual({});
  });

  it('keeps the copy in step while the launcher runs: a key added to the access file is accepted at once, a broken edit is told and changes nothing', async () => {
    const source = join(mkdtempSync(join(tmpdir(), 'access-source-')), 'access.yaml');
    copyFileSync(deployFile('access.yaml'), source);
    const started = { ...options(), accessFile: source };
    const wiring = destinationKeysWiring(started);
    const errors: unknown[] = [];
    const stop = followAccessFile(started, (error) => errors.push(error));
    try {
      const adapter = await frontDoor(wiring['legacy-rest-adapter'] ?? {}, LegacyAdapterEnv);
      // What `npm run access -- create-key --client webhooks-tickets` adds, made while running.
      const added = generateApiKey().key;
      const text = readFileSync(source, 'utf8');
      writeFileSync(
        source,
        text.replace(
          /(\n {2}webhooks-tickets:\n(?: {4}.*\n)*? {4}keys:)(?: \[\])?\n/,
          `$1\n      - { id: ${String(apiKeyId(added))}, hash: ${hashApiKey(added)} }\n`,
        ),
      );
      expect(readFileSync(source, 'utf8')).not.toBe(text);
      await vi.waitFor(
        async () => {
          expect((await adapter(added)).status).toBe(200);
        },
        { timeout: 10_000, interval: 200 },
      );
      const copy = readFileSync(join(started.dataDir, 'access.yaml'), 'utf8');
      writeFileSync(source, 'clients: [');
      await vi.waitFor(
        () => {
          expect(errors).toHaveLength(1);
        },
        { timeout: 10_000, interval: 100 },
      );
      expect(readFileSync(join(started.dataDir, 'access.yaml'), 'utf8')).toBe(copy);
    } finally {
      stop();
    }
  });

  it('leaves both out, with the warning, where nothing wires them (deployed without npm start)', () => {
    const webhooks = loadWebhooksFile(deployFile('webhooks.yaml'), {
      WEBHOOKS_STRIPE_SECRET: 'whsec_x',
    });
    expect(webhooks.skipped.map(({ destination }) => destination).sort()).toEqual([
      'orders',
      'tickets',
    ]);
  });
});
