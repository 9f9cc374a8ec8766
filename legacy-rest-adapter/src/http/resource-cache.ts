import type {
  IncomingMessage,
  OutgoingHttpHeaders,
  RequestListener,
  ServerResponse,
} from 'node:http';
import type { CacheStatus } from '@manifold/platform/cache';
import { NOT_IN_MEMORY, peekInMemory } from '@manifold/platform/cache';
import { Header } from '@manifold/platform/contracts';
import { resolveRequestId } from '@manifold/platform/http';
import { createRepeatedFailureLog, type Logger } from '@manifold/platform/logging';
import type { Keyv } from 'keyv';
import { ifNoneMatchNames } from './if-none-match.ts';

/** An answer rendered in one version, exactly as the full pipeline sent it. */
interface Rendering {
  body: string;
  /** The strong ETag the full pipeline computed over `body`. */
  etag: string;
  /** Headers that belong to the representation (Content-Type, Deprecation, Link, …). */
  headers: Record<string, string>;
}

/** One resource in the shared cache: the legacy data behind it and its answers, by version. */
interface Entry {
  /** What the monolith answered for the resource (one or more legacy reads). */
  legacy: unknown;
  /** When it was read from the monolith (epoch ms). */
  fetchedAt: number;
  /** Until when it is fresh (epoch ms): answered as it is, without asking the monolith. */
  freshUntil: number;
  /** Until when it may still be answered, marked STALE, while the monolith fails (epoch ms). */
  staleUntil: number;
  /** Answers already rendered from it, by version number: what a hit is answered with. */
  renderings: Readonly<Record<string, Rendering>>;
}

/** How fresh the data behind one answer is. */
export interface Freshness {
  status: CacheStatus;
  /** When the data was read from the monolith (epoch ms): which copy of the resource it is. */
  fetchedAt: number;
  ageSeconds: number;
  freshForSeconds: number;
}

/** A resource read through the cache. */
export interface CachedRead<T> {
  /** The resource's name in the cache (see `read`). */
  resource: string;
  legacy: T;
  freshness: Freshness;
}

/** A resource read through the cache, and the answer rendered from it. */
export interface RenderedRead<T, Body> extends CachedRead<T> {
  body: Body;
}

export interface ResourceCacheOptions {
  /** Shared cache (keyv; Redis in production), so every replica serves and drops the same copies. */
  cache: Keyv;
  logger: Logger;
  /**
   * A request's version and resource (its path and query), the same way the API routes it, or
   * undefined when it is outside the API. Only a request that names a resource exactly as its
   * route does (`read`'s `resource`) is answered before routing; any other goes to the app.
   */
  locate: (req: IncomingMessage) => { version: number; resource: string } | undefined;
  /** Cache-Control for an answer, given the seconds it stays fresh. */
  cacheControl: (freshForSeconds: number) => string;
  /** How long an expired copy may still be answered (STALE) while the monolith fails. @default 300 */
  staleIfErrorSeconds?: number;
  /** @default Date.now */
  now?: () => number;
}

// Whole seconds, rounded up: with Age rounded down, the two add up to the TTL.
const secondsLeft = (entry: Entry, at: number) =>
  Math.max(0, Math.ceil((entry.freshUntil - at) / 1000));

// Set per answer, never replayed from the stored copy.
const PER_ANSWER = new Set(['age', 'cache-control', 'content-length', 'date', 'etag', 'x-cache']);
PER_ANSWER.add(Header.requestId);
// The rate limits' count is this request's, never a stored one (the edge sets them on every answer).
PER_ANSWER.add('ratelimit').add('ratelimit-policy');

/**
 * One cache of a resource: one entry per resource (`resource:<path and query>`) holds the legacy
 * data behind it and the answers rendered from it in each version — so v1 and v2 share one legacy
 * read, a fresh answer is sent before routing, and a write drops everything about a resource by
 * deleting one key.
 *
 * - In front of the app (`inFrontOf`): a fresh answer in the request's version is sent as it is —
 *   200 with the stored bytes, or 304 when If-None-Match names its ETag — before routing, parsing,
 *   mapping, validation and serialisation, which are what a hit otherwise spends its time on.
 *   Synchronously for the in-memory cache.
 * - In a route (`read`): fresh → HIT; expired or absent → the monolith (identical concurrent misses
 *   in this process share one call) → MISS; the monolith failing → the expired copy, for up to
 *   `staleIfErrorSeconds`, as STALE.
 * - After rendering (`keep`): the answer is added to the entry, for the next request in that version.
 */
export function createResourceCache({
  cache,
  logger,
  locate,
  cacheControl,
  staleIfErrorSeconds = 300,
  now = Date.now,
}: ResourceCacheOptions) {
  // The key names no caller: the adapter has one service identity towards the monolith and no
  // per-caller authorisation yet, so every caller may see every answer. A per-caller check belongs
  // in the edge (ahead of this cache, see app.ts); a per-caller answer would need the caller's
  // scope in this key. Please leave this note until then.
  // The key names no caller, on purpose: the adapter has one service identity towards the
  // monolith, so an answer is the same whoever asks, and who may ask is decided by route scopes
  // at the edge (platform/auth), which runs before a cached answer is served. A resource whose
  // answer came to differ per caller would need the caller in this key.
  const keyOf = (resource: string) => `resource:${resource}`;
  // Loads under way in this process, by key; a write to the resource supersedes its load.
  const inFlight = new Map<string, { entry: Promise<Entry>; superseded: boolean }>();
  // An in-memory cache hands out the same rendering every time: encode its body to UTF-8 once, not
  // per answer. (A copy from Redis is a new object each time: it is encoded, not remembered.)
  const encoded = new WeakMap<Rendering, Buffer>();
  const rememberedBytesOf = (rendering: Rendering): Buffer => {
    let bytes = encoded.get(rendering);
    if (!bytes) {
      bytes = Buffer.from(rendering.body);
      encoded.set(rendering, bytes);
    }
    return bytes;
  };

  /**
   * Answers `req` from a fresh rendering: true if it did, false if the app must. Synchronous for an
   * in-memory cache (the hot path spends no promise on it), a promise for Redis.
   */
  function answerFromCache(req: IncomingMessage, res: ServerResponse): boolean | Promise<boolean> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const located = locate(req);
    if (located === undefined) return false;
    const version = String(located.version);
    const key = keyOf(located.resource);
    const inMemory = peekInMemory<Entry>(cache, key);
    if (inMemory !== NOT_IN_MEMORY) return answer(req, res, inMemory, version, rememberedBytesOf);
    return cache
      .get<Entry>(key)
      .then((entry) =>
        answer(req, res, entry, version, (rendering) => Buffer.from(rendering.body)),
      );
  }

  function answer(
    req: IncomingMessage,
    res: ServerResponse,
    entry: Entry | undefined,
    version: string,
    bytesOf: (rendering: Rendering) => Buffer,
  ): boolean {
    const at = now();
    if (!entry || entry.freshUntil <= at) return false;
    const rendering = entry.renderings[version];
    if (!rendering) return false;
    const requestId = resolveRequestId(req.headers[Header.requestId]);
    const headers: OutgoingHttpHeaders = {
      ...rendering.headers,
      [Header.requestId]: requestId,
      etag: rendering.etag,
      'cache-control': cacheControl(secondsLeft(entry, at)),
      age: String(Math.max(0, Math.floor((at - entry.fetchedAt) / 1000))),
      'x-cache': 'HIT',
    };
    if (ifNoneMatchNames(req.headers['if-none-match'], rendering.etag)) {
      delete headers['content-type'];
      res.writeHead(304, headers);
      res.end();
    } else {
      const bytes = bytesOf(rendering);
      headers['content-length'] = bytes.length;
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : bytes);
    }
    if (logger.isLevelEnabled('debug'))
      logger.debug(
        {
          reqId: requestId,
          req: { method: req.method, url: req.url },
          res: { statusCode: res.statusCode },
        },
        'answered from the resource cache',
      );
    return true;
  }

  const freshness = (entry: Entry, status: CacheStatus, at: number): Freshness => ({
    status,
    fetchedAt: entry.fetchedAt,
    ageSeconds: Math.max(0, Math.floor((at - entry.fetchedAt) / 1000)),
    freshForSeconds: status === 'STALE' ? 0 : secondsLeft(entry, at),
  });

  /**
   * Reads the monolith once for every identical concurrent miss in this process, and keeps what it
   * said — unless a write invalidated the resource meanwhile: what the load read may predate it.
   */
  function fetchOnce<T>(
    key: string,
    ttlSeconds: number,
    load: () => Promise<T>,
    render: (legacy: T) => unknown,
  ): Promise<Entry> {
    const joined = inFlight.get(key);
    if (joined) return joined.entry;
    const flight = { entry: Promise.resolve({} as Entry), superseded: false };
    flight.entry = (async () => {
      const legacy = await load();
      // What cannot be rendered is never kept: a broken record must not be answered (502) again
      // and again from the cache, nor outlive the monolith's fix by a TTL.
      render(legacy);
      const fetchedAt = now();
      const entry: Entry = {
        legacy,
        fetchedAt,
        freshUntil: fetchedAt + ttlSeconds * 1000,
        staleUntil: fetchedAt + (ttlSeconds + staleIfErrorSeconds) * 1000,
        renderings: {},
      };
      if (!flight.superseded)
        await cache.set(key, entry, (ttlSeconds + staleIfErrorSeconds) * 1000);
      return entry;
    })().finally(() => {
      if (inFlight.get(key) === flight) inFlight.delete(key);
    });
    inFlight.set(key, flight);
    return flight.entry;
  }

  return {
    /** Wraps `app`: fresh cached answers first, everything else to `app`. */
    inFrontOf(app: RequestListener): RequestListener {
      // The cache is an optimisation: any trouble with it is a miss, logged once per outage.
      const trouble = createRepeatedFailureLog(logger, {
        message: 'resource cache failed; answering in full',
      });
      const fallBack = (req: IncomingMessage, res: ServerResponse, err: unknown) => {
        trouble.failed(err);
        if (!res.headersSent) app(req, res);
      };
      return (req, res) => {
        let answered: boolean | Promise<boolean>;
        try {
          answered = answerFromCache(req, res);
        } catch (err) {
          fallBack(req, res, err);
          return;
        }
        if (answered === true) return;
        if (answered === false) {
          app(req, res);
          return;
        }
        answered.then(
          (done) => {
            if (!done) app(req, res);
          },
          (err: unknown) => {
            fallBack(req, res, err);
          },
        );
      };
    },

    /**
     * The legacy data behind `resource` (`/tickets/12`: its path, and its query as the client
     * named it), kept for `ttlSeconds` (0: never fresh, kept only to answer STALE), read with `load`,
     * and the answer `render` makes of it (in the request's version). Data `render` refuses is not
     * kept.
     */
    async read<T, Body>(
      resource: string,
      ttlSeconds: number,
      load: () => Promise<T>,
      render: (legacy: T) => Body,
    ): Promise<RenderedRead<T, Body>> {
      const key = keyOf(resource);
      const entry = (await cache.get<Entry>(key)) ?? undefined;
      const at = now();
      const rendered = (legacy: T, fresh: Freshness) => ({
        resource,
        legacy,
        freshness: fresh,
        body: render(legacy),
      });
      if (entry && at < entry.freshUntil)
        return rendered(entry.legacy as T, freshness(entry, 'HIT', at));
      let fresh: Entry;
      try {
        fresh = await fetchOnce(key, ttlSeconds, load, render);
      } catch (error) {
        if (entry && at < entry.staleUntil)
          return rendered(entry.legacy as T, freshness(entry, 'STALE', at));
        throw error;
      }
      return rendered(fresh.legacy as T, freshness(fresh, 'MISS', now()));
    },

    /**
     * Adds the answer the app rendered from `read` (its body, ETag and `res`'s representation
     * headers) to the resource's entry, so the next request for it in `version` is answered before
     * routing. Only while that very copy is fresh: a write may have dropped it meanwhile.
     */
    async keep(
      res: ServerResponse,
      { resource, freshness: { status, fetchedAt } }: CachedRead<unknown>,
      { version, body, etag }: { version: number; body: string; etag: string },
    ): Promise<void> {
      if (status === 'STALE') return;
      // The headers as they are now, before anything else is added to this answer.
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(res.getHeaders())) {
        if (!PER_ANSWER.has(name) && value !== undefined) headers[name] = String(value);
      }
      const key = keyOf(resource);
      const entry = await cache.get<Entry>(key);
      const at = now();
      if (!entry || entry.fetchedAt !== fetchedAt || entry.freshUntil <= at) return;
      const renderings = { ...entry.renderings, [String(version)]: { body, etag, headers } };
      await cache.set(key, { ...entry, renderings }, entry.staleUntil - at);
    },

    /**
     * Drops everything cached about `resource` (after a write), on every replica sharing the
     * cache; a load of it under way in this process is no longer joined, nor kept.
     */
    async invalidate(resource: string): Promise<void> {
      const key = keyOf(resource);
      const flight = inFlight.get(key);
      if (flight) {
        flight.superseded = true;
        inFlight.delete(key);
      }
      await cache.delete(key);
    },
  };
}

export type ResourceCache = ReturnType<typeof createResourceCache>;
