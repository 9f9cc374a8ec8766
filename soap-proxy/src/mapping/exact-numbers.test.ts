import { describe, expect, it } from 'vitest';
import { createExactNumbers, plainDecimal } from './exact-numbers.ts';

describe('exact JSON numbers', () => {
  it('tells numbers that kept every digit from those that did not', () => {
    const numbers = createExactNumbers();
    const parsed = JSON.parse(
      '{"a": 1.50, "b": 12345678901234567890.12, "c": [0.1, 9007199254740993], "d": 1e3}',
      numbers.reviver,
    ) as { c: number[] };
    expect(numbers.inexact(parsed, 'a')).toBe(false);
    expect(numbers.inexact(parsed, 'b')).toBe(true);
    expect(numbers.inexact(parsed.c, '0')).toBe(false);
    expect(numbers.inexact(parsed.c, '1')).toBe(true);
    expect(numbers.inexact(parsed, 'd')).toBe(false);
  });

  it('writes numbers as plain decimals, never with an exponent', () => {
    expect(plainDecimal(1.5)).toBe('1.5');
    expect(plainDecimal(1e21)).toBe('1000000000000000000000');
    expect(plainDecimal(1.25e-7)).toBe('0.000000125');
    expect(plainDecimal(-42)).toBe('-42');
  });
});
