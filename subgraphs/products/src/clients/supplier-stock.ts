import type { ClientCredentials } from '@manifold/platform/auth';
import { Header } from '@manifold/platform/contracts';
import { normalizeError, UpstreamError, upstreamAnswerError } from '@manifold/platform/errors';
import { createUpstreamCallMetrics } from '@manifold/platform/telemetry';

export interface StockLevel {
  sku: string;
  available: number;
  warehouse: string;
  updatedAt: string;
}

export interface SupplierStockClient {
  /** Stock by SKU for up to any number of SKUs (sent in batches the supplier accepts); unknown SKUs are absent. */
  levels(skus: readonly string[]): Promise<Map<string, StockLevel>>;
}

export interface SupplierStockClientOptions {
  /** soap-proxy's base URL, e.g. http://127.0.0.1:4100 */
  baseUrl: string;
  /**
   * Longest wait for one `levels()` call, all its batches together. Long enough to wait out
   * soap-proxy's own retries, shorter than the gateway's subgraph timeout (see below).
   * @default 8000 (8 s)
   */
  timeoutMs?: number;
  /** soap-proxy's credentials: a bearer token by OAuth 2.0 client credentials. @default none */
  credentials?: ClientCredentials | undefined;
}

const BATCH = 100; // the supplier's GetStockLevels limit
const UPSTREAM = 'soap-proxy';

// Why 8 s: long enough to wait out soap-proxy's own retries of GetStockLevels (the shipped
// services.json bounds a call at 7 s), short enough that the gateway (SUBGRAPH_TIMEOUT_MS, 10 s)
// drops only supplierStock, not the whole product. test/timeout-chain.test.ts keeps that order.

/**
 * Supplier stock through soap-proxy's REST API (which brings the cache, retries and breaker).
 * Its problem+json codes are kept, so a supplier outage stays UPSTREAM_UNAVAILABLE end to end;
 * our own timeout is UPSTREAM_TIMEOUT, a soap-proxy we cannot reach UPSTREAM_UNAVAILABLE.
 */
export function createSupplierStockClient({
  baseUrl,
  timeoutMs = 8_000,
  credentials,
}: SupplierStockClientOptions) {
  // With credentials: the cached token, renewed and retried once on a 401 (platform/auth).
  const send: typeof fetch = credentials
    ? (url, init) => credentials.fetch(url as string, init)
    : fetch;
  const post = async (
    skus: readonly string[],
    requestId: string | undefined,
    signal: AbortSignal,
  ) => {
    try {
      const response = await send(`${baseUrl}/api/v1/supplier/GetStockLevels`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(requestId ? { [Header.requestId]: requestId } : {}),
        },
        body: JSON.stringify({ sku: skus }),
        signal,
      });
      return { ok: response.ok, status: response.status, text: await response.text() };
    } catch (error) {
      // Our own deadline (timeout) or soap-proxy unreachable, said the way every service says it.
      throw normalizeError(error, { upstream: UPSTREAM }) ?? error;
    }
  };

  const batchLevels = async (
    skus: readonly string[],
    requestId: string | undefined,
    signal: AbortSignal,
  ): Promise<StockLevel[]> => {
    const { ok, status, text } = await post(skus, requestId, signal);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      throw new UpstreamError(
        'UPSTREAM_ERROR',
        UPSTREAM,
        `${UPSTREAM} answered HTTP ${status}, not JSON`,
        {
          transient: false,
          cause: error,
        },
      );
    }
    // soap-proxy speaks our catalogue: a supplier outage stays UPSTREAM_UNAVAILABLE end to end.
    if (!ok) throw upstreamAnswerError(UPSTREAM, { status, body });
    return (body as { level?: StockLevel[] }).level ?? [];
  };

  const metrics = createUpstreamCallMetrics(UPSTREAM);

  // Per request, so the caller's request id travels on to soap-proxy.
  return (requestId?: string): SupplierStockClient => ({
    levels: (skus) =>
      metrics.measure(async () => {
        // Sorted: the same SKUs are the same soap-proxy cache entry, whatever order they came in.
        const unique = [...new Set(skus)].sort();
        const batches: string[][] = [];
        for (let start = 0; start < unique.length; start += BATCH)
          batches.push(unique.slice(start, start + BATCH));
        // One deadline for the whole call: batches run side by side within it.
        const signal = AbortSignal.timeout(timeoutMs);
        const answers = await Promise.all(
          batches.map((batch) => batchLevels(batch, requestId, signal)),
        );
        return new Map(answers.flat().map((entry) => [entry.sku, entry]));
      }),
  });
}
