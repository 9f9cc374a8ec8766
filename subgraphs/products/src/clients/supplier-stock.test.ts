import { getGlobalDispatcher, MockAgent, setGlobalDispatcher, type Dispatcher } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSupplierStockClient } from './supplier-stock.ts';

const PROXY = 'http://soap-proxy.test';
const PATH = '/api/v1/supplier/GetStockLevels';

let agent: MockAgent;
let previous: Dispatcher;
beforeEach(() => {
  previous = getGlobalDispatcher();
  agent = new MockAgent();
  agent.disableNetConnect();
  setGlobalDispatcher(agent);
});
afterEach(async () => {
  setGlobalDispatcher(previous);
  await agent.close();
});

const level = (sku: string) => ({ sku, available: 1, warehouse: 'W1', updatedAt: 'now' });
const client = (timeoutMs = 1_000) => createSupplierStockClient({ baseUrl: PROXY, timeoutMs })();

describe('createSupplierStockClient', () => {
  it('answers UPSTREAM_TIMEOUT when soap-proxy does not answer within timeoutMs', async () => {
    agent
      .get(PROXY)
      .intercept({ path: PATH, method: 'POST' })
      .reply(200, { level: [level('SKU-00001')] })
      .delay(100);
    await expect(client(10).levels(['SKU-00001'])).rejects.toMatchObject({
      code: 'UPSTREAM_TIMEOUT',
    });
  });

  it('answers UPSTREAM_UNAVAILABLE when soap-proxy cannot be reached', async () => {
    agent
      .get(PROXY)
      .intercept({ path: PATH, method: 'POST' })
      .replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    await expect(client().levels(['SKU-00001'])).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
    });
  });

  it.each(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_TIMEOUT'])(
    "keeps soap-proxy's own problem code (%s)",
    async (code) => {
      agent
        .get(PROXY)
        .intercept({ path: PATH, method: 'POST' })
        .reply(code === 'UPSTREAM_TIMEOUT' ? 504 : 503, { code, detail: 'supplier failing' });
      await expect(client().levels(['SKU-00001'])).rejects.toMatchObject({ code });
    },
  );

  it('asks for each SKU once, sorted, in batches of 100, so the same SKUs share one soap-proxy cache entry', async () => {
    const bodies: string[][] = [];
    const pool = agent.get(PROXY);
    for (let i = 0; i < 2; i++)
      pool.intercept({ path: PATH, method: 'POST' }).reply(async ({ body }) => {
        // fetch hands the mock its body as an async iterable of chunks
        const chunks: Uint8Array[] = [];
        for await (const chunk of body as AsyncIterable<Uint8Array>) chunks.push(chunk);
        const { sku } = JSON.parse(Buffer.concat(chunks).toString()) as { sku: string[] };
        bodies.push(sku);
        return { statusCode: 200, data: { level: sku.map(level) } };
      });
    const skus = Array.from({ length: 150 }, (_, i) => `SKU-${String(150 - i).padStart(5, '0')}`);
    const found = await client().levels([...skus, 'SKU-00001']);
    expect(found.size).toBe(150);
    const sorted = [...skus].sort();
    expect(bodies.sort((a, b) => b.length - a.length)).toEqual([
      sorted.slice(0, 100),
      sorted.slice(100),
    ]);
  });
});
