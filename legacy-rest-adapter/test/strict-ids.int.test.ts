import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdapter, type Adapter } from './support.ts';

let adapter: Adapter;
beforeAll(async () => {
  adapter = await startAdapter();
});
afterAll(async () => {
  await adapter.close();
});

describe('ids and numbers in URLs are read strictly: another spelling never names another record', () => {
  it.each([
    ['/api/v2/invoices/1e3', '/id'], // Number('1e3') is invoice 1000
    ['/api/v2/tickets/0x10', '/id'], // Number('0x10') is ticket 16
    ['/api/v2/customers/%207', '/id'], // Number(' 7') is customer 7
    ['/api/v2/customers/07', '/id'],
    ['/api/v2/customers/+7', '/id'],
    ['/api/v2/customers/-7', '/id'],
    ['/api/v2/customers/7.0', '/id'],
    ['/api/v2/customers/0', '/id'],
    ['/api/v2/customers/9007199254740993', '/id'], // past the safe integers: would round
    ['/api/v2/customers/1e3/invoices', '/id'],
    ['/api/v2/customers/7/invoices?limit=1e1', '/limit'],
    ['/api/v2/customers/7/loyalty/history?limit=0x10', '/limit'],
    ['/api/v2/tickets?customerId=0x10', '/customerId'],
  ])('%s is 400, pointing at %s, without asking the monolith', async (path, pointer) => {
    await fetch(`${adapter.monolith.url}/_test/reset`, { method: 'POST' });
    const answer = await adapter.get(path);
    expect(answer.status).toBe(400);
    expect(answer.body['code']).toBe('BAD_USER_INPUT');
    expect(answer.body['errors']).toEqual([expect.objectContaining({ pointer })]);
    for (const operation of ['customer', 'invoice', 'invoices', 'ticket', 'tickets', 'loyalty'])
      expect(await adapter.legacyCalls(operation), operation).toBe(0);
  });

  it('still reads the plain spelling', async () => {
    expect((await adapter.get('/api/v2/invoices/1000')).body['id']).toBe(1000);
    expect((await adapter.get('/api/v2/tickets/16')).body['id']).toBe(16);
    expect((await adapter.get('/api/v2/customers/7/invoices?limit=10')).status).toBe(200);
  });
});
