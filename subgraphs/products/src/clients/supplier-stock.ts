import { AppError, isErrorCode } from '@manifold/platform/errors';

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
  /** @default 3000 (3 s) */
  timeoutMs?: number;
}

const BATCH = 100; // the supplier's GetStockLevels limit

/**
 * Supplier stock through soap-proxy's REST API (which brings the cache, retries and breaker).
 * Its problem+json codes are kept, so a supplier outage stays UPSTREAM_UNAVAILABLE end to end.
 */
export function createSupplierStockClient({
  baseUrl,
  timeoutMs = 3_000,
}: SupplierStockClientOptions) {
  // Per request, so the caller's request id travels on to soap-proxy.
  return (requestId?: string): SupplierStockClient => ({
    async levels(skus) {
      const found = new Map<string, StockLevel>();
      for (let start = 0; start < skus.length; start += BATCH) {
        const batch = skus.slice(start, start + BATCH);
        let response: Response;
        try {
          response = await fetch(`${baseUrl}/api/v1/supplier/GetStockLevels`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              ...(requestId ? { 'x-request-id': requestId } : {}),
            },
            body: JSON.stringify({ sku: batch }),
            signal: AbortSignal.timeout(timeoutMs),
          });
        } catch (error) {
          throw new AppError(
            'UPSTREAM_UNAVAILABLE',
            'Supplier stock is unavailable (soap-proxy unreachable)',
            { cause: error },
          );
        }
        if (!response.ok) {
          const problem = (await response.json().catch(() => ({}))) as {
            code?: unknown;
            detail?: unknown;
          };
          const code = isErrorCode(problem.code) ? problem.code : 'UPSTREAM_ERROR';
          throw new AppError(
            code,
            `Supplier stock failed: ${typeof problem.detail === 'string' ? problem.detail : `HTTP ${response.status}`}`,
          );
        }
        const { level } = (await response.json()) as { level: StockLevel[] };
        for (const entry of level) found.set(entry.sku, entry);
      }
      return found;
    },
  });
}
