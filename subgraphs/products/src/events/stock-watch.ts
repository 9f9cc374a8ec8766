import { setTimeout as sleep } from 'node:timers/promises';
import type { SqliteDatabase } from '@manifold/platform/data';
import type { Logger } from '@manifold/platform/logging';
import type { SupplierStockClient } from '../clients/supplier-stock.ts';
import { recordStockLevels } from './stock-levels.ts';

export interface StockWatchOptions {
  /** The products database, with STOCK_EVENTS_SQL applied. */
  db: SqliteDatabase;
  /** Supplier stock through soap-proxy (its cache, retries and breaker apply). */
  supplier: SupplierStockClient;
  logger: Logger;
  /** Pause between two rounds over the catalogue. @default 60_000 (1 minute) */
  intervalMs?: number;
  /** SKUs per supplier call in a round, one call at a time (gentle on the supplier). @default 100 */
  chunk?: number;
}

export interface StockWatch {
  /** Rounds finished so far (tests wait for rounds instead of sleeping). */
  rounds: () => number;
  /** Stops after the call in flight. */
  close: () => Promise<void>;
}

/**
 * Why polling: the supplier (a SOAP system) has no callback or change feed — only
 * GetStockLevels — so this subgraph asks it for every product's level, round after round, and
 * stores what changed with its `product.stock_changed` in the outbox (stock-levels.ts); the
 * shared outbox relay sends those to the webhooks service. A change is seen within one interval
 * plus soap-proxy's cache TTL for GetStockLevels (30 s as shipped). A failing round (supplier or
 * soap-proxy down) is logged and the next round tries again: nothing is recorded from it.
 */
export function startStockWatch({
  db,
  supplier,
  logger,
  intervalMs = 60_000,
  chunk = 100,
}: StockWatchOptions): StockWatch {
  const stop = new AbortController();
  let rounds = 0;

  async function round(): Promise<number> {
    const products = db.all<{ id: number; sku: string }>(
      'SELECT id, sku FROM products ORDER BY id',
    );
    let changed = 0;
    for (let start = 0; start < products.length && !stop.signal.aborted; start += chunk) {
      const slice = products.slice(start, start + chunk);
      const levels = await supplier.levels(slice.map((product) => product.sku));
      changed += recordStockLevels(db, slice, levels).length;
    }
    return changed;
  }

  const running = (async () => {
    while (!stop.signal.aborted) {
      try {
        const changed = await round();
        if (changed > 0) logger.info({ changed }, 'supplier stock changed: events recorded');
      } catch (error) {
        logger.warn({ err: error }, 'supplier stock round failed; the next round tries again');
      }
      rounds++;
      await sleep(intervalMs, undefined, { signal: stop.signal }).catch(() => undefined);
    }
  })();

  return {
    rounds: () => rounds,
    close: async () => {
      stop.abort();
      await running;
    },
  };
}
