// Stock changes at the supplier as Manifold events, end to end: the PHP SOAP supplier's stock
// changes → the products subgraph's stock watch (through soap-proxy, behind the identity
// provider) stores the new level and its `product.stock_changed` in one transaction → the shared
// outbox relay's signed POST to the webhooks service's `manifold` source → a registered endpoint,
// which verifies the delivery with the official `standardwebhooks` library — exactly once, however
// many rounds the watch goes on making.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createClientCredentials, Secret, secretFromFile } from '@manifold/platform/auth';
import { startOutboxRelay, type OutboxRelay } from '@manifold/platform/events';
import {
  requireRedis,
  silentLogger,
  startPhpServer,
  type PhpServer,
} from '@manifold/platform/testing';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSupplierStockClient } from '../../../subgraphs/products/src/clients/supplier-stock.ts';
import { openProductsDatabase } from '../../../subgraphs/products/src/data/database.ts';
import {
  startStockWatch,
  type StockWatch,
} from '../../../subgraphs/products/src/events/stock-watch.ts';
import {
  startSink,
  startWebhooks,
  type Sink,
  type TestWebhooks,
} from '../../../webhooks/test/support.ts';
import { REPO_ROOT } from '../support/processes.ts';
import { startSupplierChain, type SupplierChain } from '../support/supplier-chain.ts';

const whsec = () => `whsec_${randomBytes(24).toString('base64')}`;
/** The products subgraph ↔ webhooks service secret (the internal source's). */
const INTERNAL = whsec();
/** The customer's endpoint secret. */
const SUBSCRIBER = whsec();
const SKU = 'SKU-00002';

/** soap-proxy's shipped services file, but GetStockLevels uncached: the test sees a change at once. */
function uncachedServicesFile(): string {
  const file = JSON.parse(readFileSync(join(REPO_ROOT, 'soap-proxy/services.json'), 'utf8')) as {
    services: { wsdl: string; operations: Record<string, { cacheTtlSeconds?: number }> }[];
  };
  const [supplier] = file.services;
  supplier!.wsdl = join(REPO_ROOT, 'upstreams/soap-supplier/supplier.wsdl');
  delete supplier!.operations['GetStockLevels']!.cacheTtlSeconds;
  const path = join(mkdtempSync(join(tmpdir(), 'soap-proxy-config-')), 'services.json');
  writeFileSync(path, JSON.stringify(file));
  return path;
}

let supplierDatabase: string;
let supplier: PhpServer;
let chain: SupplierChain;
let webhooks: TestWebhooks;
let subscriber: Sink;
let watch: StockWatch;
let relay: OutboxRelay;
const db = openProductsDatabase({ path: ':memory:', productCount: 3, categoryCount: 1 });

beforeAll(async () => {
  supplierDatabase = join(mkdtempSync(join(tmpdir(), 'supplier-events-')), 'supplier.sqlite');
  supplier = await startPhpServer({
    router: join(REPO_ROOT, 'upstreams/soap-supplier/router.php'),
    env: { SUPPLIER_DATABASE_PATH: supplierDatabase },
  });
  chain = await startSupplierChain(supplier.url, { SOAP_PROXY_CONFIG: uncachedServicesFile() });
  subscriber = await startSink(() => ({ status: 204 }));
  webhooks = await startWebhooks({
    redisUrl: await requireRedis(),
    file: {
      sources: { manifold: { scheme: 'standard-webhooks', secrets: ['INTERNAL_SECRET'] } },
      endpoints: {
        subscriber: { url: subscriber.url, events: ['product.*'], secrets: ['SUBSCRIBER_SECRET'] },
      },
    },
    secrets: { INTERNAL_SECRET: INTERNAL, SUBSCRIBER_SECRET: SUBSCRIBER },
  });
  webhooks.startWorkers();
  const credentials = createClientCredentials({
    tokenUrl: chain.productsEnv['SOAP_PROXY_TOKEN_URL']!,
    clientId: 'products-subgraph',
    clientSecret: secretFromFile(chain.productsEnv['SOAP_PROXY_CLIENT_SECRET_FILE']!),
    scope: 'supplier:read',
    logger: silentLogger('products'),
  });
  watch = startStockWatch({
    db,
    supplier: createSupplierStockClient({ baseUrl: chain.proxy.url, credentials })(),
    logger: silentLogger('products'),
    intervalMs: 50,
  });
  relay = startOutboxRelay({
    db,
    url: `${webhooks.url}/hooks/manifold`,
    secret: new Secret(() => INTERNAL, 'test'),
    logger: silentLogger('products'),
    idleMs: 20,
  });
}, 120_000);
afterAll(async () => {
  await watch.close();
  await relay.close();
  await webhooks.close();
  await subscriber.close();
  await chain.stop();
  await supplier.stop();
});

const stored = () =>
  db.get<{ available: number }>('SELECT available FROM supplier_stock WHERE sku = ?', SKU)
    ?.available;

describe('product.stock_changed', () => {
  it('reaches a registered endpoint once, signed, when stock changes at the supplier', async () => {
    // The first round is the baseline: every level stored, no event.
    await vi.waitFor(
      () => {
        expect(stored()).toBeTypeOf('number');
      },
      { timeout: 30_000, interval: 50 },
    );
    const before = stored()!;
    expect(db.get<{ n: number }>('SELECT count(*) AS n FROM event_outbox')?.n).toBe(0);

    // A warehouse books goods in, in the supplier's own database.
    const supplierDb = new DatabaseSync(supplierDatabase);
    supplierDb.exec('PRAGMA busy_timeout = 5000');
    supplierDb
      .prepare("UPDATE stock SET available = ?, updated_at = '2026-12-04T12:00:00Z' WHERE sku = ?")
      .run(before + 7, SKU);
    supplierDb.close();

    await vi.waitFor(
      () => {
        expect(subscriber.received).toHaveLength(1);
      },
      { timeout: 30_000, interval: 50 },
    );
    const [delivery] = subscriber.received;
    const headers = delivery!.headers as IncomingHttpHeaders & Record<string, string>;
    const event = new Webhook(SUBSCRIBER).verify(delivery!.body, headers) as {
      type: string;
      data: Record<string, unknown>;
    };
    expect(event.type).toBe('product.stock_changed');
    expect(event.data).toMatchObject({
      productId: '2',
      sku: SKU,
      previousAvailable: before,
      available: before + 7,
      supplierUpdatedAt: '2026-12-04T12:00:00Z',
    });

    // Exactly once: more rounds see the same level and record nothing more.
    const rounds = watch.rounds();
    await vi.waitFor(
      () => {
        expect(watch.rounds()).toBeGreaterThanOrEqual(rounds + 3);
      },
      { timeout: 30_000, interval: 50 },
    );
    expect(db.get<{ n: number }>('SELECT count(*) AS n FROM event_outbox')?.n).toBe(1);
    await vi.waitFor(async () => {
      expect(await webhooks.engine.deliveries.getCompletedCount()).toBe(1);
    });
    expect(subscriber.received).toHaveLength(1);
  }, 120_000);
});
