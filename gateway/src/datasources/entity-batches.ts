import type { RemoteGraphQLDataSource } from '@apollo/gateway';
import type { GraphQLFormattedError } from 'graphql';

/** A subgraph's answer, as a data source hands it to the query planner. */
export type SubgraphResponse = Awaited<ReturnType<RemoteGraphQLDataSource['process']>>;

/** How one `_entities` fetch goes out: its distinct representations, in batches that fit a request. */
export interface EntityBatchPlan {
  /** Distinct representations per batch, in order. */
  batches: unknown[][];
  /** For each representation the planner asked for, the index of its distinct copy. */
  distinctIndexOf: number[];
}

const byteLength = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

/**
 * The query planner asks for every entity once per occurrence (the same author 400 times for 400
 * reviews), and all of them in one request. Each distinct representation is sent once, in batches
 * whose whole request body (`fixedBytes` for the query and the other variables, plus the
 * representations) stays within `maxBytes` — the subgraphs' own body limit — so a large legitimate
 * query is split instead of refused with 413.
 */
export function planEntityBatches(
  representations: readonly unknown[],
  { maxBytes, fixedBytes }: { maxBytes: number; fixedBytes: number },
): EntityBatchPlan {
  const distinct = new Map<string, number>();
  const distinctIndexOf: number[] = [];
  const batches: unknown[][] = [];
  let current: unknown[] = [];
  let currentBytes = fixedBytes + 2; // the array's brackets
  for (const representation of representations) {
    const key = JSON.stringify(representation);
    let index = distinct.get(key);
    if (index === undefined) {
      index = distinct.size;
      distinct.set(key, index);
      const bytes = Buffer.byteLength(key) + 1; // and its comma
      if (current.length > 0 && currentBytes + bytes > maxBytes) {
        batches.push(current);
        current = [];
        currentBytes = fixedBytes + 2;
      }
      current.push(representation);
      currentBytes += bytes;
    }
    distinctIndexOf.push(index);
  }
  if (current.length > 0) batches.push(current);
  return { batches, distinctIndexOf };
}

/** The bytes of a request body other than its representations. */
export const fixedRequestBytes = (request: {
  query?: string | undefined;
  operationName?: string | null | undefined;
  variables?: Record<string, unknown> | undefined;
  extensions?: Record<string, unknown> | undefined;
}) =>
  byteLength({
    query: request.query,
    operationName: request.operationName,
    variables: { ...request.variables, representations: [] },
    extensions: request.extensions,
  });

/**
 * Puts the batches' answers back in the shape of the one request the planner made: `_entities`
 * in its order (a duplicate gets its distinct copy's answer), errors re-pointed at every position
 * they concern.
 */
export function mergeEntityResponses(
  plan: EntityBatchPlan,
  responses: readonly SubgraphResponse[],
): SubgraphResponse {
  const distinctEntities: unknown[] = [];
  const errorsByDistinct = new Map<number, GraphQLFormattedError[]>();
  const otherErrors: GraphQLFormattedError[] = [];
  let offset = 0;
  responses.forEach((response, batch) => {
    const size = plan.batches[batch]?.length ?? 0;
    const entities: unknown = response.data?.['_entities'];
    for (let index = 0; index < size; index++)
      distinctEntities.push(Array.isArray(entities) ? entities[index] : null);
    for (const error of response.errors ?? []) {
      const [root, position] = error.path ?? [];
      if (root === '_entities' && typeof position === 'number') {
        const distinct = offset + position;
        errorsByDistinct.set(distinct, [...(errorsByDistinct.get(distinct) ?? []), error]);
      } else otherErrors.push(error);
    }
    offset += size;
  });
  const errors = [...otherErrors];
  const entities = plan.distinctIndexOf.map((distinct, position) => {
    for (const error of errorsByDistinct.get(distinct) ?? [])
      errors.push({ ...error, path: ['_entities', position, ...(error.path ?? []).slice(2)] });
    return distinctEntities[distinct] ?? null;
  });
  // The rest of the answer (extensions, the HTTP response) as the first batch had it.
  const { data: _data, errors: _errors, ...rest } = responses[0] ?? {};
  return { ...rest, data: { _entities: entities }, ...(errors.length > 0 ? { errors } : {}) };
}
