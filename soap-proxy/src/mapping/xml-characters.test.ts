import { describe, expect, it } from 'vitest';
import { charactersXmlCannotCarry } from './xml-characters.ts';

describe('charactersXmlCannotCarry', () => {
  it('lets through what XML 1.0 carries: tab, newlines, any language, emoji', () => {
    expect(
      charactersXmlCannotCarry({ note: 'a\tb\r\nc — ü 漢字 🙂', n: 1, b: true, x: null }),
    ).toEqual([]);
  });

  it('points at every value and field name XML cannot carry, however deep', () => {
    expect(
      charactersXmlCannotCarry({
        reference: 'PO-\u0001',
        line: [{ note: 'ok' }, { note: 'bell\u0007' }],
        'a/b\u0000': 'x',
        lone: '\uD800',
        reserved: '\uFFFE',
      }).map((error) => error.pointer),
    ).toEqual(['/reference', '/line/1/note', '/a~1b\u0000', '/lone', '/reserved']);
  });
});
