import type {
  IncomingMessage,
  OutgoingHttpHeaders,
  RequestListener,
  ServerResponse,
} from 'node:http';
import type { Keyv } from 'keyv';
import type { Logger } from 'pino';
import { NOT_IN_MEMORY, peekInMemory } from '@manifold/platform/cache';
import { REQUEST_ID_HEADER, resolveRequestId } from '@manifold/platform/http';
import { ifNoneMatchNames } from './if-none-match.ts';

/** A rendered GET answer, exactly as the full pipeline sent it, in the shared cache. */
interface Representation {
  body: string;
  /** The strong ETag the full pipeline computed over `body`. */
  etag: string;
  /** Headers that belong to the representation (Content-Type, Deprecation, Link, …). */
  headers: Record<string, string>;
  /** When the data behind it was fetched from the upstream (epoch ms). */
  fetchedAt: number;
  /** When it stops being fresh (epoch ms). */
  freshUntil: number;
}

export interface RepresentationCacheOptions {
  /** Shared cache (keyv; Redis in production), so every replica serves and drops the same copies. */
  cache: Keyv;
  logger: Logger;
  /**
   * The cache key of a request, or undefined when it must go through the full pipeline. Requests
   * that name the same representation in different ways (a version in the path or in a header)
   * must get the same key.
   */
  keyOf: (req: IncomingMessage) => string | undefined;
  /** Cache-Control for a served copy, given the seconds it stays fresh. */
  cacheControl: (freshForSeconds: number) => string;
  /** @default Date.now */
  now?: () => number;
}

// Set per answer, never replayed from the stored copy.
const PER_ANSWER = new Set([
  'age',
  'cache-control',
  'content-length',
  'date',
  'etag',
  'x-cache',
  REQUEST_ID_HEADER,
]);

/**
 * A cache of rendered GET answers in front of a whole HTTP app: a fresh copy is answered —
 * 200 with the stored bytes, or 304 when If-None-Match names its ETag — before routing, parsing,
 * mapping, validation and serialisation, which are what a cache hit otherwise spends its time
 * on. Misses, writes and everything else go through the app, which stores what it rendered
 * (`store`) and drops what a write changed (`invalidate`).
 */
export function createRepresentationCache({
  cache,
  logger,
  keyOf,
  cacheControl,
  now = Date.now,
}: RepresentationCacheOptions) {
  const cacheKey = (key: string) => `representation:${key}`;
  // An in-memory cache hands out the same copy every time: encode its body to UTF-8 once, not per
  // answer. (A copy from Redis is a new object each time: it is encoded, not remembered.)
  const encoded = new WeakMap<Representation, Buffer>();
  const rememberedBytesOf = (copy: Representation): Buffer => {
    let bytes = encoded.get(copy);
    if (!bytes) {
      bytes = Buffer.from(copy.body);
      encoded.set(copy, bytes);
    }
    return bytes;
  };

  /**
   * Answers `req` from a fresh copy: true if it did, false if the app must. Synchronous for an
   * in-memory cache (the hot path spends no promise on it), a promise for Redis.
   */
  function answerFromCache(req: IncomingMessage, res: ServerResponse): boolean | Promise<boolean> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const key = keyOf(req);
    if (key === undefined) return false;
    const inMemory = peekInMemory<Representation>(cache, cacheKey(key));
    if (inMemory !== NOT_IN_MEMORY) return answer(req, res, inMemory, rememberedBytesOf);
    return cache
      .get<Representation>(cacheKey(key))
      .then((copy) => answer(req, res, copy, (fresh) => Buffer.from(fresh.body)));
  }

  function answer(
    req: IncomingMessage,
    res: ServerResponse,
    copy: Representation | undefined,
    bytesOf: (copy: Representation) => Buffer,
  ): boolean {
    const at = now();
    if (!copy || copy.freshUntil <= at) return false;
    const requestId = resolveRequestId(req.headers[REQUEST_ID_HEADER]);
    const notModified = ifNoneMatchNames(req.headers['if-none-match'], copy.etag);
    const headers: OutgoingHttpHeaders = {
      ...copy.headers,
      [REQUEST_ID_HEADER]: requestId,
      etag: copy.etag,
      'cache-control': cacheControl(Math.floor((copy.freshUntil - at) / 1000)),
      age: String(Math.max(0, Math.floor((at - copy.fetchedAt) / 1000))),
      'x-cache': 'HIT',
    };
    if (notModified) {
      delete headers['content-type'];
      res.writeHead(304, headers);
      res.end();
    } else {
      const bytes = bytesOf(copy);
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
        'answered from the representation cache',
      );
    return true;
  }

  return {
    /** Wraps `app`: fresh cached answers first, everything else to `app`. */
    inFrontOf(app: RequestListener): RequestListener {
      // The cache is an optimisation: any trouble with it is a miss.
      const fallBack = (req: IncomingMessage, res: ServerResponse, err: unknown) => {
        logger.warn({ err }, 'representation cache failed; answering in full');
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

    /** Keeps what the app rendered for `req`, for as long as the data behind it is fresh. */
    async store(
      req: IncomingMessage,
      res: ServerResponse,
      {
        body,
        etag,
        ageSeconds,
        freshForSeconds,
      }: { body: string; etag: string; ageSeconds: number; freshForSeconds: number },
    ): Promise<void> {
      const key = req.method === 'GET' ? keyOf(req) : undefined;
      if (key === undefined || freshForSeconds <= 0) return;
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(res.getHeaders())) {
        if (!PER_ANSWER.has(name) && value !== undefined) headers[name] = String(value);
      }
      const at = now();
      const copy: Representation = {
        body,
        etag,
        headers,
        fetchedAt: at - ageSeconds * 1000,
        freshUntil: at + freshForSeconds * 1000,
      };
      await cache.set(cacheKey(key), copy, freshForSeconds * 1000);
    },

    /** Drops the copies a write changed, so no client reads its own write stale. */
    async invalidate(keys: readonly string[]): Promise<void> {
      await Promise.all(keys.map((key) => cache.delete(cacheKey(key))));
    },
  };
}

export type RepresentationCache = ReturnType<typeof createRepresentationCache>;
