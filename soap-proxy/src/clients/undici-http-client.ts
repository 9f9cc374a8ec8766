import { decodeText } from '@manifold/platform/http';
import soap from 'soap';
import { interceptors, type Dispatcher } from 'undici';

/** The subset of an axios request config that node-soap's HttpClient builds for a SOAP call. */
interface NodeSoapRequest {
  url: string;
  method: string;
  headers: Record<string, string | number>;
  data?: string | Buffer;
  /**
   * Per attempt, from the call options: a backstop only. undici keeps coarse timers (to the half
   * second), so the policy's own timeout, which aborts `signal`, is what fires first.
   */
  timeout?: number;
  signal?: AbortSignal;
}

/** What node-soap reads of an axios response. */
interface NodeSoapResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  data: string;
  config: { headers: NodeSoapRequest['headers'] };
}

// The codes our resilience layer already reads as "no answer in time" (transient.ts): the
// transport speaks them so that faults.ts and the policy see one vocabulary, whatever sends.
const cancelled = (cause: unknown) =>
  Object.assign(new Error('SOAP call cancelled', { cause }), { code: 'ERR_CANCELED' });

/**
 * node-soap's HttpClient with undici in place of axios: node-soap still builds the envelope and
 * parses the answer; undici carries it over the service's own keep-alive connection pool
 * (`dispatcher`, which also holds the mTLS client certificate). axios, with follow-redirects in
 * front of node:http, spent more CPU per call (an A/B in the commit that brought this in). Like
 * axios, it follows redirects (307/308 keep the POST and its body; HTTP credentials are not sent
 * to another origin, though an mTLS client certificate, which belongs to the pool, is) and inflates
 * gzip/deflate/br answers; beyond axios, it decodes the charset the answer names.
 */
export function undiciHttpClient(pool: Dispatcher): soap.HttpClient {
  const dispatcher = pool.compose(
    interceptors.redirect({ maxRedirections: 5 }),
    interceptors.decompress(),
  );
  const request = async ({
    url,
    method,
    headers,
    data,
    timeout,
    signal,
  }: NodeSoapRequest): Promise<NodeSoapResponse> => {
    const target = new URL(url);
    try {
      const answer = await dispatcher.request({
        origin: target.origin,
        path: `${target.pathname}${target.search}`,
        method,
        headers: Object.fromEntries(
          Object.entries(headers).map(([name, value]) => [name, String(value)]),
        ),
        body: data ?? null,
        signal: signal ?? null,
        ...(timeout === undefined ? {} : { headersTimeout: timeout, bodyTimeout: timeout }),
      });
      return {
        status: answer.statusCode,
        headers: answer.headers,
        data: decodeText(await answer.body.arrayBuffer(), answer.headers['content-type']),
        config: { headers },
      };
    } catch (error) {
      if (signal?.aborted) throw cancelled(error);
      throw error;
    }
  };
  // node-soap calls `options.request(config)` the way it calls an axios instance.
  return new soap.HttpClient({ request: request as never });
}
