import type { FieldError } from '@manifold/platform/errors';
import { token } from './field-errors.ts';

// What XML 1.0 cannot carry, escaped or not: control characters other than tab, LF and CR, lone
// surrogates, U+FFFE and U+FFFF. JSON can; a supplier's parser rejects the whole envelope.
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** Every string (value or key) in `value` that XML cannot carry, with its RFC 6901 pointer. */
export function charactersXmlCannotCarry(value: unknown, pointer = ''): FieldError[] {
  if (typeof value === 'string')
    return NOT_XML.test(value)
      ? [{ pointer: pointer || '/', detail: 'holds a character XML cannot carry' }]
      : [];
  if (Array.isArray(value))
    return value.flatMap((entry, index) => charactersXmlCannotCarry(entry, `${pointer}/${index}`));
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([key, entry]) => {
      const at = `${pointer}/${token(key)}`;
      return NOT_XML.test(key)
        ? [{ pointer: at, detail: 'is a field name XML cannot carry' }]
        : charactersXmlCannotCarry(entry, at);
    });
  return [];
}
