/**
 * JSON numbers that lost digits on the way in. `JSON.parse` turns `12345678901234567890.12` into
 * the nearest double; for an xsd:decimal or an integer that is another value than the caller
 * wrote. The body parser's reviver sees each number's source text (Node 24) and remembers which
 * did not survive; the envelope writer refuses those where exactness matters.
 */
export interface ExactNumbers {
  /** `JSON.parse` reviver (express.json's `reviver` option). */
  reviver: (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown;
  /** Whether `holder[key]` was a number JSON could not hold exactly. */
  inexact: (holder: object, key: string) => boolean;
  /** Whether any number in `value` (a parsed body) was one JSON could not hold exactly. */
  anyInexact: (value: unknown) => boolean;
}

/** `1.50`, `1.5e0` and `15E-1` alike → `1.5`; `-0.0` → `0`: the decimal value as digits and an exponent. */
function canonical(text: string): string | undefined {
  const match = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!match) return undefined;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  let digits = `${whole}${fraction}`.replace(/^0+/, '');
  let scale = Number(exponent) - fraction.length;
  if (digits === '') return '0';
  while (digits.endsWith('0')) {
    digits = digits.slice(0, -1);
    scale++;
  }
  return `${sign}${digits}e${scale}`;
}

/** A finite number as plain decimal text (no exponent): what xsd:decimal's lexical space takes. */
export function plainDecimal(value: number): string {
  const text = String(value);
  const exact = canonical(text);
  if (exact === undefined || !/e/i.test(text)) return text;
  const [, sign = '', digits = '', scaleText = '0'] = /^(-?)(\d+)e(-?\d+)$/.exec(exact) ?? [];
  const scale = Number(scaleText);
  if (scale >= 0) return `${sign}${digits}${'0'.repeat(scale)}`;
  const point = digits.length + scale;
  return point > 0
    ? `${sign}${digits.slice(0, point)}.${digits.slice(point)}`
    : `${sign}0.${'0'.repeat(-point)}${digits}`;
}

export function createExactNumbers(): ExactNumbers {
  const lossy = new WeakMap<object, Set<string>>();
  return {
    reviver(key, value, context) {
      const source = context?.source;
      if (
        typeof value === 'number' &&
        source !== undefined &&
        typeof this === 'object' &&
        this !== null &&
        canonical(source) !== canonical(String(value))
      ) {
        const keys = lossy.get(this) ?? new Set<string>();
        keys.add(key);
        lossy.set(this, keys);
      }
      return value;
    },
    inexact: (holder, key) => lossy.get(holder)?.has(key) ?? false,
    anyInexact: function anyInexact(value: unknown): boolean {
      if (value === null || typeof value !== 'object') return false;
      if (lossy.has(value)) return true;
      return Object.values(value).some(anyInexact);
    },
  };
}
