// XSD regular expressions are not ECMAScript ones: they are implicitly anchored, allow `\-`
// anywhere, and have the name-character escapes \i \I \c \C. Translate what has an equivalent.
const NAME_START = 'A-Za-z_:\\u00C0-\\u02FF\\u0370-\\u1FFF\\u200C-\\uFFFD';
const NAME_CHAR = `${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040`;
const ESCAPES: Record<string, { inside: string; outside: string }> = {
  i: { inside: NAME_START, outside: `[${NAME_START}]` },
  I: { inside: '', outside: `[^${NAME_START}]` },
  c: { inside: NAME_CHAR, outside: `[${NAME_CHAR}]` },
  C: { inside: '', outside: `[^${NAME_CHAR}]` },
};

/**
 * The ECMAScript (unicode-mode) equivalent of an XSD pattern, anchored, or undefined when it has
 * none (the pattern is then left to the supplier to enforce).
 */
export function xsdPatternToEcma(pattern: string): string | undefined {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern.charAt(i);
    if (char === '\\') {
      const next = pattern[i + 1] ?? '';
      i++;
      const special = ESCAPES[next];
      if (special) {
        if (inClass && special.inside === '') return undefined; // negated class inside a class
        out += inClass ? special.inside : special.outside;
      } else if (next === '-' && !inClass) {
        out += '-';
      } else {
        out += `\\${next}`;
      }
      continue;
    }
    if (char === '[' && !inClass) inClass = true;
    else if (char === ']' && inClass) inClass = false;
    out += char;
  }
  const anchored = `^(?:${out})$`;
  try {
    new RegExp(anchored, 'u');
    return anchored;
  } catch {
    return undefined;
  }
}
