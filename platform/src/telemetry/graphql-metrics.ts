import { durationHistogram, errorTypeLabel } from './instruments.ts';
import { createLabelBudget } from './label-budget.ts';
import { manifoldMeter } from './meter.ts';

/** Distinct operation names that keep a label of their own; later ones share `_OTHER`. */
const OPERATION_NAMES = 100;

export interface GraphQLOperation {
  /** `query`, `mutation`, `subscription`; unset when the document never resolved to an operation. */
  type: string | undefined;
  /** The operation's name; unset for an anonymous one or one that never resolved. */
  name: string | undefined;
  /** The catalogue code of the error that matters most (ours before the client's); unset: no error. */
  code: string | undefined;
}

/** `manifold.graphql.operation.duration{graphql.operation.type, graphql.operation.name, error.type}`. */
export function createGraphQLOperationMetrics() {
  const duration = durationHistogram(
    'manifold.graphql.operation.duration',
    'Duration of GraphQL operations, from the request to the answer.',
  );
  const nameLabel = createLabelBudget(OPERATION_NAMES);
  return {
    record: (seconds: number, { type, name, code }: GraphQLOperation) => {
      duration.record(seconds, {
        'graphql.operation.type': type ?? '_UNRESOLVED',
        ...(type === undefined || name === undefined
          ? {}
          : { 'graphql.operation.name': nameLabel(name) }),
        ...(code === undefined ? {} : { 'error.type': errorTypeLabel(code) }),
      });
    },
  };
}

/**
 * `manifold.graphql.subgraph.fetch.duration{graphql.subgraph.name, error.type}` (the gateway's
 * fetches) and `manifold.graphql.subgraph.fetch.deduplicated{graphql.subgraph.name}` (fetches
 * answered by an identical one already in flight, so never sent).
 */
export function createSubgraphFetchMetrics() {
  const duration = durationHistogram(
    'manifold.graphql.subgraph.fetch.duration',
    'Duration of the gateway’s fetches from one subgraph (one query plan step).',
  );
  const deduplicated = manifoldMeter().createCounter(
    'manifold.graphql.subgraph.fetch.deduplicated',
    {
      unit: '{fetch}',
      description:
        'Subgraph query fetches not sent because an identical one (same query, variables, headers and caller) was in flight; they shared its answer.',
    },
  );
  return {
    record: (subgraph: string, seconds: number, code?: string) => {
      duration.record(seconds, {
        'graphql.subgraph.name': subgraph,
        ...(code === undefined ? {} : { 'error.type': errorTypeLabel(code) }),
      });
    },
    deduplicated: (subgraph: string) => {
      deduplicated.add(1, { 'graphql.subgraph.name': subgraph });
    },
  };
}
