import { DEFAULT_MAX_RESPONSE_BYTES, readLimited } from '@manifold/platform/http';
import { interceptors, type Dispatcher } from 'undici';
import { decodeXml } from '../xml/decode.ts';

export interface SoapHttpRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  signal: AbortSignal;
  /**
   * Per attempt: a backstop only. undici keeps coarse timers (to the half second), so the
   * policy's own timeout, which aborts `signal`, is what fires first.
   */
  timeoutMs: number;
}

export interface SoapHttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body, decoded in the encoding it is in (xml/decode.ts). */
  text: string;
}

export type SoapHttp = (request: SoapHttpRequest) => Promise<SoapHttpAnswer>;

// The codes our resilience layer already reads as "no answer in time" (transient.ts): the
// transport speaks them so that faults.ts and the policy see one vocabulary, whatever sends.
const cancelled = (cause: unknown) =>
  Object.assign(new Error('SOAP call cancelled', { cause }), { code: 'ERR_CANCELED' });

export interface SoapHttpOptions {
  /** The service, as errors name the upstream. */
  upstream: string;
  /** The most of one answer read, inflated (more is UPSTREAM_RESPONSE_TOO_LARGE). @default 10 MiB */
  maxResponseBytes?: number;
}

/**
 * POSTs envelopes over one service's keep-alive connection pool (`pool`, which also holds an mTLS
 * client certificate). Follows redirects (307/308 keep the POST and its body; HTTP credentials are
 * not sent to another origin, though an mTLS client certificate, which belongs to the pool, is)
 * and inflates gzip/deflate/br answers — reading no more than `maxResponseBytes` of one, inflated,
 * so neither a huge answer nor a compression bomb can take the process's memory.
 */
export function createSoapHttp(
  pool: Dispatcher,
  { upstream, maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES }: SoapHttpOptions,
): SoapHttp {
  const dispatcher = pool.compose(
    interceptors.redirect({ maxRedirections: 5 }),
    interceptors.decompress(),
  );
  return async ({ url, body, headers, signal, timeoutMs }) => {
    const target = new URL(url);
    try {
      const answer = await dispatcher.request({
        origin: target.origin,
        path: `${target.pathname}${target.search}`,
        method: 'POST',
        headers,
        body,
        signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const bytes = await readLimited(answer.body, {
        upstream,
        maxBytes: maxResponseBytes,
        declaredLength: answer.headers['content-length'],
      });
      let text: string;
      try {
        text = decodeXml(bytes, answer.headers['content-type']);
      } catch {
        text = new TextDecoder().decode(bytes); // an unknown charset: judged as not SOAP later
      }
      return { status: answer.statusCode, headers: answer.headers, text };
    } catch (error) {
      if (signal.aborted) throw cancelled(error);
      throw error;
    }
  };
}
