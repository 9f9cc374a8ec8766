import { AppError } from '@manifold/platform/errors';
import type { OperationShape } from './operation-shape.ts';

/** The most an operation may ask for; anything above is refused before a subgraph is called. */
export interface OperationLimits {
  /** Lexical tokens in the document (the parser stops counting past this). */
  maxTokens: number;
  maxDepth: number;
  maxAliases: number;
  maxRootFields: number;
  maxDirectives: number;
  /** Fields once fragments are expanded. */
  maxFields: number;
  /** Static cost (Federation demand control: `@cost`, `@listSize`) of the operation run. */
  maxCost: number;
  /** Items a list is assumed to hold when neither a slicing argument nor `@listSize` says. */
  assumedListSize: number;
}

/** Production defaults: generous for every operation our apps send, far below any attack. */
export const DEFAULT_OPERATION_LIMITS: OperationLimits = {
  // Our largest query (storefront) has ~150. Each token is parsing work an attacker's flood makes
  // the gateway do before anything can be refused: 10,000 tokens cost ~1.7 ms, 2,000 ~0.2 ms.
  maxTokens: 2_000,
  maxDepth: 15,
  maxAliases: 30,
  maxRootFields: 20,
  maxDirectives: 50,
  maxFields: 1_000,
  maxCost: 5_000,
  assumedListSize: 10,
};

export type LimitName =
  'tokens' | 'depth' | 'aliases' | 'rootFields' | 'directives' | 'fields' | 'cost';

/** OPERATION_LIMIT_EXCEEDED, with what was measured against what is allowed in `extensions`. */
export function limitExceeded(limit: LimitName, measured: number, maximum: number): AppError {
  return new AppError(
    'OPERATION_LIMIT_EXCEEDED',
    `The operation's ${limit} (${Number.isFinite(measured) ? measured : 'unbounded'}) exceeds the maximum of ${maximum}`,
    // JSON has no Infinity: an exponential fragment expansion is reported as the largest safe integer.
    { details: { limit, measured: Math.min(measured, Number.MAX_SAFE_INTEGER), maximum } },
  );
}

/** The first of the shape limits the operation breaks, if any. */
export function shapeLimitExceeded(
  shape: OperationShape,
  limits: OperationLimits,
): AppError | undefined {
  const checks: [LimitName, number, number][] = [
    ['depth', shape.depth, limits.maxDepth],
    ['aliases', shape.aliases, limits.maxAliases],
    ['rootFields', shape.rootFields, limits.maxRootFields],
    ['directives', shape.directives, limits.maxDirectives],
    ['fields', shape.fields, limits.maxFields],
  ];
  for (const [limit, measured, maximum] of checks)
    if (measured > maximum) return limitExceeded(limit, measured, maximum);
  return undefined;
}
