import { ConfigError } from '@manifold/platform/config';
import jsonata from 'jsonata';

/** What a destination's `transform` sees: the event as received, and its body parsed. */
export interface TransformInput {
  event: {
    source: string;
    id: string;
    type: string;
    /** ISO 8601 UTC. */
    receivedAt: string;
    /** The delivery's Idempotency-Key (stable across retries and replays): a GraphQL mutation's own key. */
    idempotencyKey: string;
  };
  body: unknown;
}

/** Why a transform gave no body to send: sending cannot fix it, a dead letter at once. */
export class TransformError extends Error {
  override name = 'TransformError';
}

/**
 * An evaluation that runs longer, or nests deeper, is stopped (JSONata's own guards): an
 * expression in the webhooks file must not hold a worker's slot, whatever it is given.
 */
const GUARDS = { timeout: 1_000, stack: 500 } as const; // 1 second, 500 frames

export interface Transform {
  /** The body to send (JSON text), or TransformError. */
  apply: (input: TransformInput) => Promise<string>;
}

/**
 * A JSONata expression from the webhooks file, compiled once at start: a syntax error is a
 * ConfigError naming `where` (the destination), never a dead letter per event. JSONata is
 * declarative — paths, functions over values, no I/O, no host code — which is what lets an
 * operator's file shape requests without running code in the worker.
 */
export function compileTransform(expression: string, where: string): Transform {
  let compiled: jsonata.Expression;
  try {
    compiled = jsonata(expression, GUARDS);
  } catch (error) {
    throw new ConfigError([`${where}: not a JSONata expression: ${describe(error)}`]);
  }
  return {
    apply: async (input) => {
      let result: unknown;
      try {
        result = await compiled.evaluate(input);
      } catch (error) {
        throw new TransformError(`transform failed: ${describe(error)}`);
      }
      if (result === undefined)
        throw new TransformError('transform failed: the expression gave no result');
      return JSON.stringify(result);
    },
  };
}

/** The event's body as JSON, for a transform (one that is not JSON cannot be shaped). */
export function parsedBody(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new TransformError("transform failed: the event's body is not JSON");
  }
}

/** JSONata's errors carry a code (`T2001`, `D1012`) and the position in the expression. */
function describe(error: unknown): string {
  const { code, position, message } = error as Partial<jsonata.JsonataError>;
  const text = message ?? String(error);
  return code === undefined
    ? text
    : `${code} ${text}${position === undefined ? '' : ` (at ${position})`}`;
}
