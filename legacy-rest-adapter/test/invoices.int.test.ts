import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdapter, type Adapter } from './support.ts';

let adapter: Adapter;
beforeAll(async () => {
  adapter = await startAdapter();
});
afterAll(async () => {
  await adapter.close();
});

interface Page {
  data: { id: number; net: unknown }[];
  page: { limit: number; total: number; nextCursor: string | null };
}

describe('invoices over the real monolith', () => {
  it('v1 keeps money as decimal strings; v2 has { amount, currency }; both resolve the DST-ambiguous local time', async () => {
    const v1 = (await adapter.get('/api/v1/invoices/500')).body;
    expect(v1).toMatchObject({
      id: 500,
      number: 'RE-000500',
      currency: 'EUR',
      paid: false,
      paidAt: null,
      issuedAt: '2014-10-26T00:30:00.000Z',
    });
    expect(v1['gross']).toMatch(/^\d+\.\d{2}$/);
    const v2 = (await adapter.get('/api/v2/invoices/500')).body;
    expect(v2['gross']).toEqual({ amount: v1['gross'], currency: 'EUR' });
    expect((v2['lines'] as { unitPrice: unknown }[])[0]?.unitPrice).toEqual({
      amount: expect.stringMatching(/^\d+\.\d{2}$/),
      currency: 'EUR',
    });
    // net + vat = gross, to the cent, as strings
    const cents = (value: unknown) => Math.round(Number(value) * 100);
    expect(cents(v1['net']) + cents(v1['vat'])).toBe(cents(v1['gross']));
  });

  it('pages a customer’s invoices with stable cursors whatever the page size, each invoice once', async () => {
    const customer = 1078;
    const all: number[] = [];
    let cursor: string | null = null;
    let limit = 3;
    for (let guard = 0; guard < 50; guard++) {
      const query: string = `/api/v2/customers/${customer}/invoices?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
      const { status, body } = await adapter.get(query);
      expect(status).toBe(200);
      const page = body as unknown as Page;
      all.push(...page.data.map((invoice) => invoice.id));
      cursor = page.page.nextCursor;
      if (cursor === null) {
        expect(all).toHaveLength(page.page.total);
        break;
      }
      limit = limit === 3 ? 2 : 3; // a client may change its page size between pages
    }
    expect(new Set(all).size).toBe(all.length);
    expect(all).toEqual([...all].sort((a, b) => a - b));
    expect(all.length).toBeGreaterThan(3);
  });

  it('rejects a bad limit or a foreign cursor with 400, and an unknown invoice with 404', async () => {
    expect((await adapter.get('/api/v2/customers/7/invoices?limit=101')).status).toBe(400);
    const other = (await adapter.get('/api/v2/customers/8/invoices?limit=1'))
      .body as unknown as Page;
    const foreign = await adapter.get(
      `/api/v2/customers/7/invoices?cursor=${other.page.nextCursor ?? 'x'}`,
    );
    expect(foreign.status).toBe(400);
    expect(foreign.body['code']).toBe('BAD_USER_INPUT');
    expect((await adapter.get('/api/v2/invoices/99999999')).status).toBe(404);
  });
});

describe('loyalty over the real monolith', () => {
  it('answers the balance as integers, and pages the XML history as JSON', async () => {
    const balance = (await adapter.get('/api/v2/customers/7/loyalty')).body;
    expect(balance).toEqual({
      customerId: 7,
      balance: expect.any(Number),
      events: expect.any(Number),
    });
    const seen: number[] = [];
    let cursor: string | null = null;
    for (let guard = 0; guard < 20; guard++) {
      const page = (
        await adapter.get(
          `/api/v2/customers/7/loyalty/history?limit=4${cursor ? `&cursor=${cursor}` : ''}`,
        )
      ).body as {
        data: { id: number; points: number; at: string }[];
        page: { total: number; nextCursor: string | null };
      };
      expect(page.page.total).toBe(balance['events']);
      seen.push(...page.data.map((event) => event.id));
      for (const event of page.data) expect(event.at).toMatch(/Z$/);
      cursor = page.page.nextCursor;
      if (cursor === null) break;
    }
    expect(seen).toHaveLength(Number(balance['events']));
  });

  it('answers a history without events as an empty page, not a 500', async () => {
    // Found by the REST fuzz: the XML page writes an empty list as no element at all.
    const response = await adapter.get('/api/v2/customers/999999/loyalty/history');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ data: [], page: { limit: 20, total: 0, nextCursor: null } });
  });
});
