import { matches } from './routing.ts';
import type { WebhooksFile } from './webhooks-file.ts';

/** The value at a JSON pointer (`/data/orderId`) or dotted path (`data.orderId`) in a parsed body. */
function valueAt(document: unknown, path: string): unknown {
  const steps = path.startsWith('/')
    ? path
        .slice(1)
        .split('/')
        .map((step) => step.replaceAll('~1', '/').replaceAll('~0', '~'))
    : path.split('.');
  let value = document;
  for (const step of steps) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[step];
  }
  return value;
}

/**
 * For an event, the ordering key of each destination a route with `orderBy` sends it to: the
 * value at that path in the body (a string or number). An event whose body lacks it, or is not
 * JSON, is not ordered (it never waits, and nothing waits for it).
 */
export function createOrderKeys(routes: WebhooksFile['routes']) {
  const ordered = routes.flatMap((route) =>
    route.orderBy === undefined ? [] : [{ ...route, orderBy: route.orderBy }],
  );
  return (source: string, eventType: string, body: string): Map<string, string> => {
    const keys = new Map<string, string>();
    const relevant = ordered.filter(
      (route) => route.source === source && route.events.some((p) => matches(p, eventType)),
    );
    if (relevant.length === 0) return keys;
    let document: unknown;
    try {
      document = JSON.parse(body);
    } catch {
      return keys;
    }
    for (const route of relevant) {
      const value = valueAt(document, route.orderBy);
      if (typeof value !== 'string' && typeof value !== 'number') continue;
      for (const destination of route.to)
        if (!keys.has(destination)) keys.set(destination, String(value));
    }
    return keys;
  };
}
export type OrderKeys = ReturnType<typeof createOrderKeys>;
