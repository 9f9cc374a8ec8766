import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Keyv } from 'keyv';
import { afterEach, describe, expect, it } from 'vitest';
import { createCache } from '@manifold/platform/cache';
import { silentLogger } from '@manifold/platform/testing';
import { createRepresentationCache } from './representation-cache.ts';

let clock = 1_000_000;
const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** An app that renders `/things/<id>` and counts how often it had to. */
async function serve(cache: Keyv) {
  const representations = createRepresentationCache({
    cache,
    logger: silentLogger(),
    keyOf: (req) => (req.url?.startsWith('/things/') ? req.url : undefined),
    cacheControl: (seconds) => `private, max-age=${seconds}`,
    now: () => clock,
  });
  let rendered = 0;
  const app: RequestListener = (req, res) => {
    rendered++;
    const body = JSON.stringify({ url: req.url, rendered });
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.setHeader('deprecation', '@1');
    res.setHeader('x-cache', 'MISS');
    res.setHeader('x-request-id', 'from-the-app');
    void representations
      .store(req, res, { body, etag: `"e${rendered}"`, ageSeconds: 2, freshForSeconds: 60 })
      .then(() => res.end(body));
  };
  const server = createServer(representations.inFrontOf(app)).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  closers.push(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, rendered: () => rendered, representations };
}

// Our in-memory cache is read synchronously; any other keyv (Redis) through its async get.
describe.each([
  ['in-memory cache', () => createCache({ namespace: 'test', logger: silentLogger() })],
  ['any other keyv', () => new Keyv()],
])('createRepresentationCache over the %s', (_name, newCache) => {
  it('answers a fresh copy without the app: same bytes, its own ETag, Age and Cache-Control, the representation headers', async () => {
    const { url, rendered } = await serve(newCache());
    const first = await fetch(`${url}/things/1`);
    const firstBody = await first.text();
    clock += 10_000;
    const hit = await fetch(`${url}/things/1`, { headers: { 'x-request-id': 'abc-123' } });
    expect(await hit.text()).toBe(firstBody);
    expect(rendered()).toBe(1);
    expect(hit.headers.get('x-cache')).toBe('HIT');
    expect(hit.headers.get('etag')).toBe('"e1"');
    expect(hit.headers.get('age')).toBe('12'); // 2 s old when stored, 10 s since
    expect(hit.headers.get('cache-control')).toBe('private, max-age=50');
    expect(hit.headers.get('deprecation')).toBe('@1');
    expect(hit.headers.get('x-request-id')).toBe('abc-123');
    expect(hit.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  it('answers 304 without a body when If-None-Match names the stored ETag', async () => {
    const { url } = await serve(newCache());
    await (await fetch(`${url}/things/2`)).text();
    const revalidated = await fetch(`${url}/things/2`, { headers: { 'if-none-match': '"e1"' } });
    expect(revalidated.status).toBe(304);
    expect(await revalidated.text()).toBe('');
  });

  it('sends an expired copy, an invalidated one, and requests without a key to the app', async () => {
    const { url, rendered, representations } = await serve(newCache());
    await (await fetch(`${url}/things/3`)).text();
    clock += 61_000;
    await (await fetch(`${url}/things/3`)).text();
    expect(rendered()).toBe(2);
    await representations.invalidate(['/things/3']);
    await (await fetch(`${url}/things/3`)).text();
    expect(rendered()).toBe(3);
    await (await fetch(`${url}/other`)).text();
    await (await fetch(`${url}/other`)).text();
    expect(rendered()).toBe(5);
  });

  it('never answers a write from the cache', async () => {
    const { url, rendered } = await serve(newCache());
    await (await fetch(`${url}/things/4`)).text();
    await (await fetch(`${url}/things/4`, { method: 'POST' })).text();
    expect(rendered()).toBe(2);
  });
});
