import type { LegacyClient } from '../clients/legacy-client.ts';
import type { SendConditionalJson } from '../http/conditional-json.ts';
import type { ResourceCache } from '../http/resource-cache.ts';
import type { ApiDocument } from '../openapi.ts';

/** What every route group is built from. */
export interface RouteDeps {
  /** Reads from the monolith (retried when idempotent). */
  legacy: LegacyClient;
  /** The one cache of each resource: legacy data and rendered answers. */
  resources: ResourceCache;
  /** /openapi.json: each route group documents its operations here, once for every version. */
  document: ApiDocument;
  send: SendConditionalJson;
}

/**
 * The name a GET's resource has in the cache: `path` (built from validated parameters, so every
 * spelling of an id is one name) and the query parameters in `names` the client sent, in that
 * order. A request spelled exactly so is answered before routing; any other reads the same entry.
 */
export function resourceName(
  path: string,
  query: Record<string, unknown>,
  names: readonly string[],
): string {
  const search = new URLSearchParams();
  for (const name of names) {
    const value = query[name];
    if (typeof value === 'string') search.append(name, value);
  }
  const text = search.toString();
  return text === '' ? path : `${path}?${text}`;
}
