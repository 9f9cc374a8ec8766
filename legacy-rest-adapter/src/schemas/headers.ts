import { Header } from '@manifold/platform/contracts';
import { z } from 'zod';

/** What an Idempotency-Key may be. */
export const IDEMPOTENCY_KEY = /^[\w\-:.]{1,255}$/;

const idempotencyKey = z.string().regex(IDEMPOTENCY_KEY).meta({
  description:
    'Makes the request safe to retry: a repeat with the same key and body gets the first answer (Idempotent-Replayed: true). 1–255 of A–Z a–z 0–9 _ - : .',
  example: '5f0c6b8e-7f1a-4c1e-9d7e-2a4b6c8d0e1f',
});

/** Request headers, as /openapi.json declares them (names from the platform's contracts). */
export const RequestHeaders = {
  idempotencyKey: z.object({ [Header.idempotencyKey]: idempotencyKey }),
  optionalIdempotencyKey: z.object({ [Header.idempotencyKey]: idempotencyKey.optional() }),
  ifNoneMatch: z.object({
    'if-none-match': z
      .string()
      .optional()
      .meta({ description: 'An ETag of a copy you have: 304 without a body while it is current' }),
  }),
  /** `API-Version` for `/api/<resource>` (the path names no version). */
  apiVersion: (names: readonly string[], current: string) =>
    z.object({
      [Header.apiVersion]: z
        .enum(names as [string, ...string[]])
        .optional()
        .meta({ description: `The version to answer in (also as v<n>); default ${current}` }),
    }),
};
