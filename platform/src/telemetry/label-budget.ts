/** The label a value gets once the budget is spent. */
export const OTHER_LABEL = '_OTHER';

/**
 * Bounded cardinality for a label whose values come from clients (GraphQL operation names): the
 * first `max` distinct values keep their own label, every later one shares `_OTHER`. A client
 * that sends a new operation name per request cannot grow the metrics without bound.
 */
export function createLabelBudget(max: number): (value: string) => string {
  const known = new Set<string>();
  return (value) => {
    if (known.has(value)) return value;
    if (known.size >= max) return OTHER_LABEL;
    known.add(value);
    return value;
  };
}
