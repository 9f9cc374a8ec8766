// The queries issue 11 took the gateway down with ("Why"), for the operation-limits tests and
// `npm run bench:attack-queries`.

const DEEP_STEPS = [
  'orders(first: 1)',
  'edges',
  'node',
  'lines',
  'product',
  'reviews(first: 1)',
  'author',
] as const;

/** `user → orders(first: 1) → lines → product → reviews(first: 1) → author → orders …`, `depth` fields deep (3.4 KB at 200). */
export function deepQuery(depth = 200): string {
  const fields: string[] = ['user(id: "1")'];
  for (let step = 0; fields.length < depth - 1; step++)
    fields.push(DEEP_STEPS[step % DEEP_STEPS.length] ?? 'id');
  return `{ ${fields.join(' { ')} { __typename${' }'.repeat(fields.length)} }`;
}

/** `count` aliases of `product(id) { averageRating shippingEstimate }`, each a product and two entity fetches. */
export function aliasQuery(count = 5_000): string {
  const aliases = Array.from(
    { length: count },
    (_, index) =>
      `p${index}: product(id: "${(index % 5_000) + 1}") { averageRating shippingEstimate { amount } }`,
  );
  return `{ ${aliases.join(' ')} }`;
}

/** A page of users, each with a page of orders: 100 × 100 orders. */
export const COSTLY_QUERY =
  '{ users(first: 100) { edges { node { orders(first: 100) { edges { node { number total { amount } } } } } } } }';
