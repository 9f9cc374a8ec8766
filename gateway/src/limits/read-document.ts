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
