import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OriginPools } from './origin-pools.ts';

// A supplier like php -S: every answer closes its connection.
const closingServer = async (name: string) => {
  const server = createServer((_req, res) => {
    res.writeHead(200, { connection: 'close', 'content-type': 'text/plain' }).end(name);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}` };
};

let first: { server: Server; origin: string };
let second: { server: Server; origin: string };
beforeAll(async () => {
  first = await closingServer('first');
  second = await closingServer('second');
});
afterAll(() => {
  first.server.close();
  second.server.close();
});

const get = async (pools: OriginPools, origin: string) => {
  const { statusCode, body } = await pools.request({ origin, path: '/', method: 'GET' });
  return `${String(statusCode)} ${await body.text()}`;
};

describe('OriginPools', () => {
  it('keeps calling an origin whose server closes every connection', async () => {
    const pools = new OriginPools();
    for (let call = 0; call < 5; call++) expect(await get(pools, first.origin)).toBe('200 first');
    await pools.close();
  });

  it('sends origins beyond the kept ones through an Agent, and closes both', async () => {
    const pools = new OriginPools({ maxKeptOrigins: 1 });
    expect(await get(pools, first.origin)).toBe('200 first');
    expect(await get(pools, second.origin)).toBe('200 second');
    expect(await get(pools, second.origin)).toBe('200 second');
    await pools.close();
    await expect(get(pools, first.origin)).rejects.toMatchObject({ code: 'UND_ERR_DESTROYED' });
  });
});
