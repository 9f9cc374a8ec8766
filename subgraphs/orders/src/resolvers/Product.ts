import { moneyFromCents } from '@manifold/platform/data';

/** Flat rate plus a step per started 500 g: 4.99 USD + 0.50 USD per 500 g. */
export function shippingEstimateCents(weightGrams: number): number {
  return 499 + 50 * Math.ceil(weightGrams / 500);
}

export const Product = {
  // The gateway sends `weightGrams` along (`@requires`), so nothing is loaded here.
  __resolveReference: (reference: { id: string; weightGrams?: number }) => reference,
  shippingEstimate: ({ weightGrams }: { weightGrams?: number }) =>
    weightGrams === undefined ? null : moneyFromCents(shippingEstimateCents(weightGrams), 'USD'),
};
