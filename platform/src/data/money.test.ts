import { describe, expect, it } from 'vitest';
import { moneyFromCents } from './money.ts';

describe('moneyFromCents', () => {
  it('formats minor units as a 2-place decimal string', () => {
    expect(moneyFromCents(0, 'USD')).toEqual({ amount: '0.00', currency: 'USD' });
    expect(moneyFromCents(5, 'USD').amount).toBe('0.05');
    expect(moneyFromCents(123_456, 'EUR')).toEqual({ amount: '1234.56', currency: 'EUR' });
    expect(moneyFromCents(-250, 'USD').amount).toBe('-2.50');
  });
});
