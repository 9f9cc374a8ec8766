import type { AppError } from '@manifold/platform/errors';
import { Lexer, parse, Source, TokenKind } from 'graphql';
import { limitExceeded, shapeLimitExceeded, type OperationLimits } from './limits.ts';
import { measureDocument } from './operation-shape.ts';

/**
 * Checks a document's text against the limits before anything else reads it: the parser gives up
 * past `maxTokens` (so a megabyte of aliases costs a few milliseconds, not a full parse), then the
 * parsed document's shape is measured. Returns the broken limit, or undefined when the document
 * is within limits — or is not valid GraphQL at all, which Apollo then reports as it always does.
 */
export function documentLimitExceeded(
  text: string,
  limits: OperationLimits,
): AppError | undefined {
  let document;
  try {
    document = parse(text, { maxLexicalTokens: limits.maxTokens, noLocation: true });
  } catch {
    // Past the token limit, or a syntax error (left to Apollo): counting tells which.
    const tokens = countTokens(text);
    return tokens > limits.maxTokens
      ? limitExceeded('tokens', tokens, limits.maxTokens)
      : undefined;
  }
  return shapeLimitExceeded(measureDocument(document), limits);
}

/** Tokens in the text, as the parser counts them (comments excluded); up to a syntax error, if any. */
function countTokens(text: string): number {
  const lexer = new Lexer(new Source(text));
  let tokens = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF) tokens++;
  } catch {
    // A syntax error further on: the tokens before it are what the limit was measured on.
  }
  return tokens;
}
