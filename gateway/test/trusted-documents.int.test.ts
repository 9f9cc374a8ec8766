import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Authenticate } from '@manifold/platform/auth';
import { ANONYMOUS } from '@manifold/platform/contracts';
import { testCaller } from '@manifold/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentIdOf, readManifest, renderStore } from '../src/trusted-documents/manifest.ts';
import { loadTrustedDocuments } from '../src/trusted-documents/store.ts';
import {
  ACCOUNTS_SDL,
  REVIEWS_SDL,
  startGateway,
  startTinySubgraph,
  type TestGateway,
  type TinySubgraph,
} from './support.ts';

// A first-party app ("storefront") may run only the operations it registered at build time;
// another client ("partner") keeps ad-hoc queries and APQ. Real gateway over two live subgraphs;
// subgraph calls are counted where they arrive.

const REGISTERED = 'query Me { me { name reviews { body } } }';
const ID = documentIdOf(REGISTERED);

const authenticate: Authenticate = (req) => {
  const client = req.headers['x-test-client'];
  return typeof client === 'string' ? testCaller({ clientId: client }) : ANONYMOUS;
};

let accounts: TinySubgraph;
let reviews: TinySubgraph;
let gateway: TestGateway;

beforeAll(async () => {
  const store = join(mkdtempSync(join(tmpdir(), 'trusted-documents-')), 'store.json');
  writeFileSync(store, renderStore(readManifest(JSON.stringify({ [ID]: REGISTERED }))));
  const account = { id: '1', name: 'Ada' };
  accounts = await startTinySubgraph('accounts', ACCOUNTS_SDL, {
    Query: { me: () => account },
    Account: { __resolveReference: () => account },
  });
  reviews = await startTinySubgraph('reviews', REVIEWS_SDL, {
    Account: { __resolveReference: (ref: unknown) => ref, reviews: () => [{ body: 'Great' }] },
  });
  const documents = loadTrustedDocuments(store);
  gateway = await startGateway(
    true,
    [accounts, reviews],
    { accounts: ACCOUNTS_SDL, reviews: REVIEWS_SDL },
    {
      authenticate,
      trustedDocuments: { documents: () => documents, onlyClients: new Set(['storefront']) },
    },
  );
});
afterAll(async () => {
  await gateway.close();
  await accounts.stop();
  await reviews.stop();
});

const calls = () => accounts.received.length + reviews.received.length;

interface Answer {
  status: number;
  body: {
    data?: unknown;
    errors?: { extensions?: { code?: string } }[];
  };
  subgraphCalls: number;
}

async function post(client: string, body: Record<string, unknown>): Promise<Answer> {
  const before = calls();
  const response = await fetch(`${gateway.server.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      'x-test-client': client,
    },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json()) as Answer['body'],
    subgraphCalls: calls() - before,
  };
}

const ME = { me: { name: 'Ada', reviews: [{ body: 'Great' }] } };
const codeOf = (answer: Answer) => answer.body.errors?.[0]?.extensions?.code;

describe('trusted documents', () => {
  it('runs a registered operation by documentId, bare or sha256:-prefixed', async () => {
    for (const documentId of [ID, `sha256:${ID}`]) {
      const answer = await post('storefront', { documentId });
      expect(answer.body).toEqual({ data: ME });
      expect(answer.subgraphCalls).toBe(2);
    }
  });

  it('runs a registered operation by its APQ hash, with no text sent', async () => {
    const answer = await post('storefront', {
      extensions: { persistedQuery: { version: 1, sha256Hash: ID } },
    });
    expect(answer.body).toEqual({ data: ME });
  });

  it('runs a registered operation over GET by documentId', async () => {
    const response = await fetch(
      `${gateway.server.url}/graphql?${new URLSearchParams({ documentId: ID }).toString()}`,
      { headers: { 'x-test-client': 'storefront' } },
    );
    expect(await response.json()).toEqual({ data: ME });
  });

  it('refuses an ad-hoc query from a trusted-documents-only client: TRUSTED_DOCUMENT_REQUIRED, nothing called', async () => {
    const answer = await post('storefront', { query: '{ me { name } }' });
    expect(answer.status).toBe(403);
    expect(codeOf(answer)).toBe('TRUSTED_DOCUMENT_REQUIRED');
    expect(answer.body.data).toBeUndefined();
    expect(answer.subgraphCalls).toBe(0);
  });

  it('refuses an unknown id: TRUSTED_DOCUMENT_NOT_FOUND (and an APQ registration from that client)', async () => {
    const unknown = documentIdOf('{ me { name } }');
    for (const body of [
      { documentId: unknown },
      {
        query: '{ me { name } }',
        extensions: { persistedQuery: { version: 1, sha256Hash: unknown } },
      },
    ]) {
      const answer = await post('storefront', body);
      expect(answer.status).toBe(400);
      expect(codeOf(answer)).toBe('TRUSTED_DOCUMENT_NOT_FOUND');
      expect(answer.subgraphCalls).toBe(0);
    }
  });

  it('runs the registered text whatever text a trusted-documents-only client sends with the id', async () => {
    const answer = await post('storefront', {
      query: '{ me { name } }',
      extensions: { persistedQuery: { version: 1, sha256Hash: ID } },
    });
    expect(answer.body).toEqual({ data: ME });
  });

  it('keeps ad-hoc queries and APQ for every other client', async () => {
    const adHoc = await post('partner', { query: '{ me { name } }' });
    expect(adHoc.body).toEqual({ data: { me: { name: 'Ada' } } });
    const query = '{ me { name reviews { body } } }';
    const persistedQuery = { version: 1, sha256Hash: documentIdOf(query) };
    const miss = await post('partner', { extensions: { persistedQuery } });
    expect(codeOf(miss)).toBe('PERSISTED_QUERY_NOT_FOUND');
    await post('partner', { query, extensions: { persistedQuery } });
    const hit = await post('partner', { extensions: { persistedQuery } });
    expect(hit.body).toEqual({ data: ME });
    // A registered document by id works for them too.
    expect((await post('partner', { documentId: ID })).body).toEqual({ data: ME });
  });
});
