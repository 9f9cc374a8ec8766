import { Pool, type Dispatcher } from 'undici';
import { ATTEMPT_RESPONSE_CHARS } from '@manifold/platform/contracts';

/** A destination's answer: its status, its Retry-After, and the start of its body. */
export interface DestinationAnswer {
  status: number;
  retryAfter: string | undefined;
  /** At most ATTEMPT_RESPONSE_CHARS characters; the rest is read and dropped (the connection is kept). */
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
const EXCERPT_BYTES = ATTEMPT_RESPONSE_CHARS * 4; // enough bytes for 500 characters of UTF-8

/**
 * POSTs (or PUTs, PATCHes) to destinations over one keep-alive undici Pool per origin, kept for the worker's life
 * (destinations and endpoints come from the webhooks file: a bounded set).
 *
 * undici's `dispatch`, its lowest-level call, not `request` or `fetch`: a delivery only needs the
 * status, one header and the start of the body, and the layers above it (a Readable for the body,
 * an AbortSignal with its timer per request) cost about a quarter of a delivery's CPU
 * (profiled under bench:webhooks). One timer per attempt bounds it as a whole. A destination
 * that answered and then failed while sending its body has answered (its status counts).
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
      let controller: Dispatcher.DispatchController | undefined;
      let late = false;
      const timeout = () => new DestinationTimeoutError(`timed out after ${request.timeoutMs} ms`);
      // One deadline for the whole attempt — waiting for a connection, connecting, sending, the
      // answer and its body — as `timeoutMs` promises (undici's own timeouts bound only the wait
      // for the headers and the gap between two pieces of the body).
      const deadline = setTimeout(() => {
        late = true;
        controller?.abort(timeout());
      }, request.timeoutMs);
      const answered = () => {
        const body = Buffer.concat(chunks, Math.min(kept, keepBytes)).toString('utf8');
        const excerpt = body.slice(0, ATTEMPT_RESPONSE_CHARS);
        return request.keepBytes === undefined
          ? { status, retryAfter, excerpt }
          : { status, retryAfter, excerpt, text: body };
      };
      const handler: Dispatcher.DispatchHandler = {
        onRequestStart: (started) => {
          controller = started;
          if (late) started.abort(timeout());
        },
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
          clearTimeout(deadline);
          resolve(answered());
        },
        onResponseError: (_controller, error) => {
          clearTimeout(deadline);
          // The status came, then the body failed (a reset, the deadline): the destination has
          // answered, and a 2xx is a delivery — sending it again would be a second one at a
          // destination that ignores Idempotency-Key. Only an answer that must be read whole to be
          // judged (a GraphQL destination's `errors`) is a failure then.
          if (status !== 0 && request.keepBytes === undefined) {
            resolve(answered());
            return;
          }
          const code = (error as { code?: string }).code;
          reject(
            error instanceof DestinationTimeoutError ||
              (code !== undefined && TIMEOUT_CODES.has(code))
              ? timeout()
              : error,
          );
        },
      };
      try {
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
      } catch (error) {
        clearTimeout(deadline);
        throw error;
      }
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
