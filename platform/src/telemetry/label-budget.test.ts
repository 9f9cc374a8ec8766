import { describe, expect, it } from 'vitest';
import { createLabelBudget, OTHER_LABEL } from './label-budget.ts';

describe('createLabelBudget', () => {
  it('keeps the first values it sees, then collapses every new one into one label', () => {
    const label = createLabelBudget(2);
    expect(['Storefront', 'Checkout', 'Storefront'].map(label)).toEqual([
      'Storefront',
      'Checkout',
      'Storefront',
    ]);
    expect(['Random1', 'Random2'].map(label)).toEqual([OTHER_LABEL, OTHER_LABEL]);
    expect(label('Checkout')).toBe('Checkout');
  });
});
