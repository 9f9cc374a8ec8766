/**
 * What checking one inbound request decided. `accepted` carries what the sender said the event is;
 * every other kind is a refusal with the catalogue code the sender gets.
 */
export type Verdict =
  | { kind: 'accepted'; eventId: string; eventType: string; secretIndex: number }
  | { kind: 'invalid-signature'; reason: string }
  | { kind: 'stale'; reason: string };

/** The parts of a request a scheme reads: header names in lower case, the body exactly as sent. */
export interface SignedRequest {
  headers: Readonly<Record<string, string | string[] | undefined>>;
  rawBody: Buffer;
}

/** A sender's signing scheme, checked with every active secret of a source (rotation). */
export interface SignatureScheme {
  verify: (request: SignedRequest, secrets: readonly string[], nowSeconds: number) => Verdict;
}

export const header = (request: SignedRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

export const invalid = (reason: string): Verdict => ({ kind: 'invalid-signature', reason });

/** The index of the first secret `matches` accepts, or -1. Every secret is tried (no early exit by position). */
export function firstMatching(
  secrets: readonly string[],
  matches: (secret: string) => boolean,
): number {
  let found = -1;
  secrets.forEach((secret, index) => {
    if (matches(secret) && found === -1) found = index;
  });
  return found;
}

/** A JSON body's string fields, e.g. Stripe's `id` and `type` (one parse for all of them). */
export function jsonFields<Field extends string>(
  rawBody: Buffer,
  ...fields: Field[]
): Record<Field, string | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const values = {} as Record<Field, string | undefined>;
  for (const field of fields) {
    const value = (parsed as Record<string, unknown> | null | undefined)?.[field];
    values[field] = typeof value === 'string' && value !== '' ? value : undefined;
  }
  return values;
}

/** A JSON body's string field. */
export const jsonField = (rawBody: Buffer, field: string): string | undefined =>
  jsonFields(rawBody, field)[field];

/** Whether a Unix timestamp (seconds) is within `toleranceSeconds` of now, either way. */
export const isFresh = (timestamp: number, nowSeconds: number, toleranceSeconds: number) =>
  Math.abs(nowSeconds - timestamp) <= toleranceSeconds;
