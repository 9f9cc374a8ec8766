import type { AppError } from '@manifold/platform/errors';
import { Parser } from 'graphql/language/parser.js';
import { limitExceeded, shapeLimitExceeded, type OperationLimits } from './limits.ts';
import { measureDocument } from './operation-shape.ts';

/**
 * Checks a document's text against the limits before anything else reads it: the parser gives up
 * past `maxTokens` (so a megabyte of aliases costs a few milliseconds, not a full parse), then the
 * parsed document's shape is measured. Returns the broken limit, or undefined when the document
 * is within limits — or is not valid GraphQL at all, which Apollo then reports as it always does.
 */
export function documentLimitExceeded(text: string, limits: OperationLimits): AppError | undefined {
  const parser = new Parser(text, { maxLexicalTokens: limits.maxTokens, noLocation: true });
  let document;
  try {
    document = parser.parseDocument();
  } catch {
    // Past the token limit, or a syntax error (left to Apollo, which reports it as usual). The
    // parser stops one token past the limit: counting the rest would cost what the limit saves.
    return parser.tokenCount > limits.maxTokens
      ? limitExceeded('tokens', parser.tokenCount, limits.maxTokens)
      : undefined;
  }
  return shapeLimitExceeded(measureDocument(document), limits);
}

/** Checks run at start-up by warmUpDocumentLimits: enough for V8 to compile every path they take. */
const WARM_UP_ROUNDS = 5;
/** Bounds each warm-up document, whatever the configured limits (a generous limit must not slow start-up). */
const WARM_UP_MAX_ITEMS = 5_000;

/**
 * Runs the document checks on documents over each kind of limit, once the gateway starts: the
 * first refusal would otherwise pay for compiling the lexer's and parser's token-limited paths
 * and the shape measurement (~20–30 ms on a fresh gateway, against ~1 ms once compiled), and a
 * refusal is the one answer an attacker can make us give first.
 */
export function warmUpDocumentLimits(limits: OperationLimits): void {
  const bounded = (count: number) => Math.max(1, Math.min(count, WARM_UP_MAX_ITEMS));
  // Shaped like real operations (arguments, strings, numbers, variables, fragments, directives),
  // so that every lexer and parser path a real document takes is compiled, not only names.
  const field = (i: number) =>
    `a${i}: f(id: "${i}", n: ${i}.5, on: true, v: $v) @include(if: $b) { b ... on T { c } }`;
  const fields = Array.from({ length: bounded(Math.ceil(limits.maxTokens / 20) + 1) }, (_, i) =>
    field(i),
  );
  const overTokens = `query Q($v: Int = 1, $b: Boolean!) { ${fields.join(' ')} }`;
  const depth = bounded(Math.min(limits.maxDepth + 1, Math.floor(limits.maxTokens / 3)));
  const overDepth = `${'{ a '.repeat(depth)}${'} '.repeat(depth)}`;
  const aliases = Array.from({ length: bounded(limits.maxAliases + 1) }, (_, i) => `a${i}: a`);
  const overAliases = `{ ${aliases.join(' ')} }`;
  for (let round = 0; round < WARM_UP_ROUNDS; round++)
    for (const text of [overTokens, overDepth, overAliases]) documentLimitExceeded(text, limits);
}
