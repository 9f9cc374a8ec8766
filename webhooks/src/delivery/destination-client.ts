import { Pool, type Dispatcher } from 'undici';
import { RESPONSE_EXCERPT_CHARS } from './attempts.ts';

/** A destination's answer: its status, its Retry-After, and the start of its body. */
export interface DestinationAnswer {
  status: number;
  retryAfter: string | undefined;
  /** At most RESPONSE_EXCERPT_CHARS characters; the rest is read and dropped (the connection is kept). */
  excerpt: string;
  /** With `keepBytes`: the body up to that many bytes (a GraphQL answer is judged on it). */
  text?: string;
}

/** No answer within the time allowed: the headers, or the next piece of the body, did not come. */
export class DestinationTimeoutError extends Error {
  override name = 'DestinationTimeoutError';
}

export interface PostRequest {
  /** @default 'POST' */
  method?: 'POST' | 'PUT' | 'PATCH';
  headers: Record<string, string>;
  body: string;
  /** How long the headers, and then each piece of the body, may take. */
  timeoutMs: number;
  /** Keep this much of the answer's body as `text` (default: only the excerpt). */
  keepBytes?: number;
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const EXCERPT_BYTES = RESPONSE_EXCERPT_CHARS * 4; // enough bytes for 500 characters of UTF-8

/**
 * POSTs (or PUTs, PATCHes) to destinations over one keep-alive undici Pool per origin, kept for the worker's life
 * (destinations and endpoints come from the webhooks file: a bounded set).
 *
 * undici's `dispatch`, its lowest-level call, not `request` or `fetch`: a delivery only needs the
 * status, one header and the start of the body, and the layers above it (a Readable for the body,
 * an AbortSignal with its timer per request) cost about a quarter of a delivery's CPU
 * (profiled under bench:webhooks). Timeouts are undici's own headers and body timeouts.
 * Redirects are not followed: a 3xx is the destination's answer.
 */
export function createDestinationClient() {
  const pools = new Map<string, Pool>();
  const targets = new Map<string, { pool: Pool; path: string }>();
  const targetOf = (url: string) => {
    let target = targets.get(url);
    if (target === undefined) {
      const { origin, pathname, search } = new URL(url);
      let pool = pools.get(origin);
      if (pool === undefined) {
        pool = new Pool(origin);
        pools.set(origin, pool);
      }
      target = { pool, path: `${pathname}${search}` };
      targets.set(url, target);
    }
    return target;
  };

  const post = (url: string, request: PostRequest): Promise<DestinationAnswer> => {
    const { pool, path } = targetOf(url);
    const keepBytes = Math.max(EXCERPT_BYTES, request.keepBytes ?? 0);
    return new Promise((resolve, reject) => {
      let status = 0;
      let retryAfter: string | undefined;
      const chunks: Buffer[] = [];
      let kept = 0;
      const handler: Dispatcher.DispatchHandler = {
        onRequestStart: () => undefined,
        onResponseStart: (_controller, statusCode, headers) => {
          status = statusCode;
          const value = headers['retry-after'];
          retryAfter = Array.isArray(value) ? value[0] : value;
        },
        onResponseData: (_controller, chunk) => {
          if (kept >= keepBytes) return;
          chunks.push(chunk);
          kept += chunk.length;
        },
        onResponseEnd: () => {
          const body = Buffer.concat(chunks, Math.min(kept, keepBytes)).toString('utf8');
          const excerpt = body.slice(0, RESPONSE_EXCERPT_CHARS);
          resolve(
            request.keepBytes === undefined
              ? { status, retryAfter, excerpt }
              : { status, retryAfter, excerpt, text: body },
          );
        },
        onResponseError: (_controller, error) => {
          const code = (error as { code?: string }).code;
          reject(
            code !== undefined && TIMEOUT_CODES.has(code)
              ? new DestinationTimeoutError(`timed out after ${request.timeoutMs} ms`)
              : error,
          );
        },
      };
      pool.dispatch(
        {
          path,
          method: request.method ?? 'POST',
          headers: request.headers,
          body: request.body,
          headersTimeout: request.timeoutMs,
          bodyTimeout: request.timeoutMs,
        },
        handler,
      );
    });
  };

  return {
    post,
    close: async () => {
      await Promise.all([...pools.values()].map((pool) => pool.close()));
    },
  };
}
export type DestinationClient = ReturnType<typeof createDestinationClient>;
