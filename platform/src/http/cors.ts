import cors from 'cors';
import type { RequestHandler } from 'express';
import { Header } from '../contracts/headers.ts';

export interface CorsOptions {
  /**
   * Origins a browser app may call from, exactly as browsers send them (`https://shop.example.com`,
   * `http://localhost:5173`); `*` allows any origin (never with credentials). Empty: no
   * cross-origin browser access at all.
   */
  allowedOrigins: readonly string[];
  /** Response headers a browser app may read, besides the CORS-safelisted ones. */
  exposedHeaders?: readonly string[];
  /** How long a browser may reuse a preflight answer. @default 600 (10 minutes) */
  maxAgeSeconds?: number;
}

/** Headers every Manifold answer may carry that a browser app has reason to read. */
const EXPOSED = [Header.requestId, 'retry-after', 'ratelimit', 'ratelimit-policy'];

/**
 * CORS from an allow-list: a preflight from an allowed origin is answered (204) with the methods
 * and headers it asked for; any other origin gets no CORS headers, so the browser keeps the
 * answer from the page. `Vary: Origin` keeps shared caches honest.
 */
export function corsMiddleware({
  allowedOrigins,
  exposedHeaders = [],
  maxAgeSeconds = 600,
}: CorsOptions): RequestHandler {
  const anyOrigin = allowedOrigins.includes('*');
  const allowed = new Set(allowedOrigins);
  return cors({
    origin: (origin, callback) => {
      callback(null, origin !== undefined && (anyOrigin || allowed.has(origin)));
    },
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    exposedHeaders: [...EXPOSED, ...exposedHeaders],
    maxAge: maxAgeSeconds,
  });
}
