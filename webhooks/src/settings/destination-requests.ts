import { secretFromEnv, type Secret } from '@manifold/platform/auth';
import { ConfigError } from '@manifold/platform/config';
import { z } from 'zod';
import { compileTransform, type Transform } from '../delivery/transform.ts';

/**
 * How a destination's requests are shaped (all optional: without them the event's body goes as
 * the sender sent it, by POST).
 */
export const DestinationRequest = z.object({
  method: z.enum(['POST', 'PUT', 'PATCH']).default('POST'),
  /**
   * A JSONata expression over `{ event: { source, id, type, receivedAt, idempotencyKey }, body }`
   * (body: the event's parsed JSON); its result is sent as the JSON body. A failure is a dead
   * letter at once ("transform failed: …"), re-evaluated on replay.
   */
  transform: z.string().min(1).optional(),
  /** A variable holding an API key (or `<NAME>_FILE`, a file holding it), sent as x-api-key. */
  apiKey: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]*$/)
    .optional(),
  /**
   * With `apiKey`: when its variable is unset, leave the destination and its routes out (one
   * warning at start) instead of refusing to start — a reference route that needs a credential
   * is opt-in, where it would otherwise only make 401 dead letters.
   */
  optional: z.boolean().default(false),
  /** The destination is a GraphQL endpoint: an answer with `errors` is a failure (graphql-answer.ts). */
  graphql: z.boolean().default(false),
});
type DestinationRequest = z.infer<typeof DestinationRequest>;

/** A destination's request shaping, resolved: the expression compiled, the key read. */
export interface ResolvedRequest {
  method: 'POST' | 'PUT' | 'PATCH';
  transform?: Transform | undefined;
  apiKey?: Secret | undefined;
  graphql?: boolean | undefined;
}

/** A destination left out at start: its `apiKey` variable is unset and it is `optional`. */
export interface SkippedDestination {
  destination: string;
  variable: string;
}

/**
 * Resolves one destination's request shaping; `skip` when it is optional and its key is unset.
 * A bad expression, or a required key whose variable is unset, is a ConfigError naming `where`.
 */
export function resolveRequest(
  request: DestinationRequest,
  env: Readonly<Record<string, unknown>>,
  where: string,
): ResolvedRequest | 'skip' {
  if (request.optional && request.apiKey === undefined)
    throw new ConfigError([`${where}.optional: only with apiKey (it is what may be missing)`]);
  let apiKey: Secret | undefined;
  if (request.apiKey !== undefined) {
    apiKey = secretFromEnv(env, request.apiKey);
    if (apiKey === undefined) {
      if (request.optional) return 'skip';
      throw new ConfigError([
        `${where}.apiKey: ${request.apiKey} (or ${request.apiKey}_FILE) is not set`,
      ]);
    }
  }
  return {
    method: request.method,
    transform:
      request.transform === undefined
        ? undefined
        : compileTransform(request.transform, `${where}.transform`),
    apiKey,
    graphql: request.graphql,
  };
}
