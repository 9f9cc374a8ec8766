/** The graph's `Money`: a decimal string with 2 places and an ISO 4217 currency. */
export interface Money {
  amount: string;
  currency: string;
}

/** Money is stored as integer minor units (cents) so sums never drift. */
export function moneyFromCents(cents: number, currency: string): Money {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return {
    amount: `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`,
    currency,
  };
}
