import { describe, expect, it } from 'vitest';
import { DEFAULT_OPERATION_LIMITS, type OperationLimits } from './limits.ts';
import { documentLimitExceeded, warmUpDocumentLimits } from './read-document.ts';

const limits: OperationLimits = { ...DEFAULT_OPERATION_LIMITS, maxTokens: 50, maxDepth: 3 };

describe('documentLimitExceeded', () => {
  it('lets a document within every limit through', () => {
    expect(documentLimitExceeded('{ user(id: 1) { name } }', limits)).toBeUndefined();
  });

  it('refuses a document past the token limit where the parser stopped, one token past it', () => {
    // `{`, 20 × (alias, `:`, field), `}`: 62 tokens, 12 of them never read.
    const aliases = Array.from({ length: 20 }, (_, i) => `a${i}: name`).join(' ');
    const error = documentLimitExceeded(`{ ${aliases} }`, limits);
    expect(error?.code).toBe('OPERATION_LIMIT_EXCEEDED');
    expect(error?.details).toEqual({ limit: 'tokens', measured: 51, maximum: 50 });
  });

  it('does not mistake a syntax error past the token limit for anything but the limit', () => {
    expect(documentLimitExceeded(`{ ${'a '.repeat(60)} `, limits)?.details).toMatchObject({
      limit: 'tokens',
    });
  });

  it('refuses a document deeper than the depth limit', () => {
    expect(documentLimitExceeded('{ a { b { c { d } } } }', limits)?.details).toEqual({
      limit: 'depth',
      measured: 4,
      maximum: 3,
    });
  });

  it('leaves a syntax error to Apollo, which reports it as GRAPHQL_PARSE_FAILED', () => {
    expect(documentLimitExceeded('{ user(id: ', limits)).toBeUndefined();
  });

  it('reports an exponential expansion as the largest safe integer (JSON has no Infinity)', () => {
    const fragments = Array.from({ length: 1_100 }, (_, level) =>
      level === 1_099
        ? `fragment F${level} on User { name }`
        : `fragment F${level} on User { ...F${level + 1} ...F${level + 1} }`,
    );
    const error = documentLimitExceeded(`{ user { ...F0 } } ${fragments.join(' ')}`, {
      ...DEFAULT_OPERATION_LIMITS,
      maxTokens: 100_000,
    });
    expect(error?.details).toMatchObject({ limit: 'fields', measured: Number.MAX_SAFE_INTEGER });
  });
});

describe('warmUpDocumentLimits', () => {
  it('runs on any limits without refusing anything later or changing what is refused', () => {
    for (const odd of [
      { ...limits, maxTokens: 1, maxDepth: 1_000, maxAliases: 0 },
      { ...limits, maxTokens: 1_000_000, maxDepth: 1_000_000, maxAliases: 1_000_000 },
    ])
      expect(() => {
        warmUpDocumentLimits(odd);
      }).not.toThrow();
    warmUpDocumentLimits(limits);
    expect(documentLimitExceeded('{ user(id: 1) { name } }', limits)).toBeUndefined();
    expect(documentLimitExceeded('{ a { b { c { d } } } }', limits)?.details).toMatchObject({
      limit: 'depth',
    });
  });
});
