import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Keyv } from 'keyv';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCache } from '@manifold/platform/cache';
import { silentLogger } from '@manifold/platform/testing';
import { createResourceCache } from './resource-cache.ts';

/** A render that keeps the legacy data as it is (what these tests look at). */
const asIs = <T>(value: T) => value;

let clock = 1_000_000;
const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/**
 * An app that serves `/v<n>/things/<id>`: it reads the thing through the cache (counting the
 * "legacy" loads), renders it in version n and keeps the rendering, as the adapter's routes do.
 */
async function serve(cache: Keyv, { ttlSeconds = 60 } = {}) {
  const resources = createResourceCache({
    cache,
    logger: silentLogger(),
    locate: (req) => {
      const match = /^\/v(\d)(\/things\/.*)$/.exec(req.url ?? '');
      return match ? { version: Number(match[1]), resource: match[2]! } : undefined;
    },
    cacheControl: (seconds) => `private, max-age=${seconds}`,
    now: () => clock,
  });
  let loads = 0;
  let rendered = 0;
  const app: RequestListener = (req, res) => {
    const [, version = '0', resource = ''] = /^\/v(\d)(.*)$/.exec(req.url ?? '') ?? [];
    void (async () => {
      const read = await resources.read(resource, ttlSeconds, () => Promise.resolve(++loads), asIs);
      rendered++;
      const body = JSON.stringify({ version, load: read.legacy, rendered });
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.setHeader('deprecation', '@1');
      res.setHeader('x-cache', read.freshness.status);
      res.setHeader('x-request-id', 'from-the-app');
      if (req.method === 'GET')
        await resources.keep(res, read, { version: Number(version), body, etag: `"e${rendered}"` });
      res.end(body);
    })();
  };
  const server = createServer(resources.inFrontOf(app)).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  closers.push(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, loads: () => loads, rendered: () => rendered, resources };
}

const text = async (url: string, init?: RequestInit) => (await fetch(url, init)).text();

// Our in-memory cache is read synchronously; any other keyv (Redis) through its async get.
describe.each([
  ['in-memory cache', () => createCache({ namespace: 'test', logger: silentLogger() })],
  ['any other keyv', () => new Keyv()],
])('createResourceCache over the %s', (_name, newCache) => {
  it('answers a kept rendering without the app: same bytes, its ETag, Age and Cache-Control, the representation headers', async () => {
    const { url, rendered } = await serve(newCache());
    const firstBody = await text(`${url}/v2/things/1`);
    clock += 10_000;
    const hit = await fetch(`${url}/v2/things/1`, { headers: { 'x-request-id': 'abc-123' } });
    expect(await hit.text()).toBe(firstBody);
    expect(rendered()).toBe(1);
    expect(hit.headers.get('x-cache')).toBe('HIT');
    expect(hit.headers.get('etag')).toBe('"e1"');
    expect(hit.headers.get('age')).toBe('10');
    expect(hit.headers.get('cache-control')).toBe('private, max-age=50');
    expect(hit.headers.get('deprecation')).toBe('@1');
    expect(hit.headers.get('x-request-id')).toBe('abc-123');
    expect(hit.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  it('answers 304 without a body when If-None-Match names the kept ETag', async () => {
    const { url } = await serve(newCache());
    await text(`${url}/v2/things/2`);
    const revalidated = await fetch(`${url}/v2/things/2`, { headers: { 'if-none-match': '"e1"' } });
    expect(revalidated.status).toBe(304);
    expect(await revalidated.text()).toBe('');
  });

  it('keeps one entry per resource: every version renders from one load, then each is answered from the cache', async () => {
    const { url, loads, rendered } = await serve(newCache());
    const v1 = JSON.parse(await text(`${url}/v1/things/3`)) as { load: number };
    const v2 = JSON.parse(await text(`${url}/v2/things/3`)) as { load: number };
    expect([v1.load, v2.load, loads()]).toEqual([1, 1, 1]);
    await text(`${url}/v1/things/3`);
    await text(`${url}/v2/things/3`);
    expect(rendered()).toBe(2);
  });

  it('drops every version of a resource with one invalidation, and sends expired entries and unlocated requests to the app', async () => {
    const { url, loads, rendered, resources } = await serve(newCache());
    await text(`${url}/v1/things/4`);
    await text(`${url}/v2/things/4`);
    await resources.invalidate('/things/4');
    await text(`${url}/v1/things/4`);
    await text(`${url}/v2/things/4`);
    expect([loads(), rendered()]).toEqual([2, 4]);
    clock += 61_000;
    await text(`${url}/v2/things/4`);
    expect([loads(), rendered()]).toEqual([3, 5]);
    await text(`${url}/v2/other`);
    await text(`${url}/v2/other`);
    expect(rendered()).toBe(7);
  });

  it('never answers a write from the cache', async () => {
    const { url, rendered } = await serve(newCache());
    await text(`${url}/v2/things/5`);
    await text(`${url}/v2/things/5`, { method: 'POST' });
    expect(rendered()).toBe(2);
  });
});

describe('createResourceCache: reads', () => {
  const setup = () =>
    createResourceCache({
      cache: createCache({ namespace: 'test', logger: silentLogger() }),
      logger: silentLogger(),
      locate: () => undefined,
      cacheControl: String,
      now: () => clock,
    });

  it('shares one load between identical concurrent misses', async () => {
    const resources = setup();
    let loads = 0;
    const slow = () =>
      new Promise<number>((resolve) =>
        setTimeout(() => {
          resolve(++loads);
        }, 20),
      );
    const reads = await Promise.all(
      Array.from({ length: 5 }, () => resources.read('/r', 60, slow, asIs)),
    );
    expect(loads).toBe(1);
    expect(reads.map((read) => read.freshness.status)).toEqual(Array(5).fill('MISS'));
  });

  it('answers the expired copy as STALE while loading fails, until staleIfErrorSeconds have passed', async () => {
    const resources = setup();
    await resources.read('/r', 60, () => Promise.resolve('first'), asIs);
    clock += 120_000;
    const failing = () => Promise.reject(new Error('monolith down'));
    const stale = await resources.read('/r', 60, failing, asIs);
    expect(stale.legacy).toBe('first');
    expect(stale.freshness).toMatchObject({ status: 'STALE', ageSeconds: 120, freshForSeconds: 0 });
    clock += 300_000;
    await expect(resources.read('/r', 60, failing, asIs)).rejects.toThrow('monolith down');
  });

  it('does not keep what its render refuses (a broken record): the next read loads again', async () => {
    const resources = setup();
    let loads = 0;
    const refuse = (legacy: number) => {
      if (legacy === 1) throw new Error('broken record');
      return legacy;
    };
    await expect(resources.read('/r', 60, () => Promise.resolve(++loads), refuse)).rejects.toThrow(
      'broken record',
    );
    const next = await resources.read('/r', 60, () => Promise.resolve(++loads), refuse);
    expect(next).toMatchObject({ legacy: 2, body: 2, freshness: { status: 'MISS' } });
    expect(loads).toBe(2);
  });

  it('does not keep what a load read while a write invalidated the resource', async () => {
    const resources = setup();
    let release = () => {};
    let loading = false;
    const before = resources.read(
      '/r',
      60,
      () =>
        new Promise<string>((resolve) => {
          loading = true;
          release = () => {
            resolve('before the write');
          };
        }),
      asIs,
    );
    await vi.waitFor(() => {
      expect(loading).toBe(true);
    });
    await resources.invalidate('/r');
    const after = await resources.read('/r', 60, () => Promise.resolve('after the write'), asIs);
    release();
    expect((await before).legacy).toBe('before the write');
    expect(after.legacy).toBe('after the write');
    const next = await resources.read('/r', 60, () => Promise.resolve('reloaded'), asIs);
    expect(next).toMatchObject({ legacy: 'after the write', freshness: { status: 'HIT' } });
  });
});
