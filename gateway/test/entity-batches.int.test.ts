import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FED,
  startGateway,
  startTinySubgraph,
  type TestGateway,
  type TinySubgraph,
} from './support.ts';

const ITEMS = 3_000;
const OWNERS = 1_000; // every owner appears three times
const MAX_REQUEST_BYTES = 16_384;

const CATALOG_SDL = `${FED}
type Query { items: [Item!]! }
type Item { id: ID! owner: Account! }
type Account @key(fields: "id", resolvable: false) { id: ID! }`;
const ACCOUNTS_SDL = `${FED}
type Account @key(fields: "id") { id: ID! name: String! }`;

describe('entity fetches larger than a subgraph accepts', () => {
  let catalog: TinySubgraph;
  let accounts: TinySubgraph;
  let gateway: TestGateway;
  let resolved = 0;

  beforeAll(async () => {
    catalog = await startTinySubgraph('catalog', CATALOG_SDL, {
      Query: {
        items: () =>
          Array.from({ length: ITEMS }, (_, id) => ({
            id: String(id),
            owner: { __typename: 'Account', id: `account-${String(id % OWNERS)}` },
          })),
      },
    });
    accounts = await startTinySubgraph('accounts', ACCOUNTS_SDL, {
      Account: {
        __resolveReference: (ref: { id: string }) => {
          resolved++;
          return { id: ref.id, name: `Name of ${ref.id}` };
        },
      },
    });
    gateway = await startGateway(
      true,
      [catalog, accounts],
      { catalog: CATALOG_SDL, accounts: ACCOUNTS_SDL },
      { subgraphMaxRequestBytes: MAX_REQUEST_BYTES },
    );
  });
  afterAll(async () => {
    await gateway.close();
    await catalog.stop();
    await accounts.stop();
  });

  it('sends each distinct entity once, in requests within the limit, and answers all of them', async () => {
    accounts.received.length = 0;
    const { status, data, errors } = await gateway.server.query<{
      items: { owner: { name: string } }[];
    }>('{ items { owner { name } } }');
    expect(status).toBe(200);
    expect(errors).toBeUndefined();
    expect(data?.items).toHaveLength(ITEMS);
    data?.items.forEach((item, index) => {
      expect(item.owner.name).toBe(`Name of account-${String(index % OWNERS)}`);
    });
    expect(resolved).toBe(OWNERS);
    expect(accounts.received.length).toBeGreaterThan(1);
    for (const headers of accounts.received)
      expect(Number(headers['content-length'])).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
  });
});
