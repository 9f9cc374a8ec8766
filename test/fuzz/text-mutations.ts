import fc from 'fast-check';

/**
 * A real text (an operation, an SDL), then a few edits: cut, duplicate, insert one of `tokens`
 * or random text, truncate. Mostly broken, sometimes still valid: what a client or a team's CI
 * sends when something upstream of it went wrong.
 */
export function mutatedText(
  sources: readonly string[],
  tokens: readonly string[],
  { maxEdits = 4 }: { maxEdits?: number } = {},
): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.constantFrom(...sources),
      fc.array(
        fc.oneof(
          fc.record({
            kind: fc.constant('cut' as const),
            at: fc.nat(),
            length: fc.nat({ max: 40 }),
          }),
          fc.record({
            kind: fc.constant('copy' as const),
            at: fc.nat(),
            length: fc.nat({ max: 40 }),
          }),
          fc.record({
            kind: fc.constant('insert' as const),
            at: fc.nat(),
            text: fc.oneof(fc.constantFrom(...tokens), fc.string({ maxLength: 8 })),
          }),
          fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
        ),
        { maxLength: maxEdits },
      ),
    )
    .map(([text, edits]) =>
      edits.reduce((edited, edit) => {
        const at = edited.length === 0 ? 0 : edit.at % edited.length;
        switch (edit.kind) {
          case 'cut':
            return edited.slice(0, at) + edited.slice(at + edit.length);
          case 'copy':
            return edited.slice(0, at) + edited.slice(at, at + edit.length) + edited.slice(at);
          case 'insert':
            return edited.slice(0, at) + edit.text + edited.slice(at);
          case 'truncate':
            return edited.slice(0, at);
        }
      }, text),
    );
}
