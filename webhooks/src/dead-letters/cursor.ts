import { AppError } from '@manifold/platform/errors';
import { z } from 'zod';
import type { Position } from './failed-index.ts';

/**
 * A page cursor: where the previous page ended (its last letter's failure time and id), opaque to
 * callers (base64url JSON). A position, not an offset: letters failing or replayed meanwhile
 * neither repeat nor skip the others.
 */
const Decoded = z.object({ t: z.number().int().nonnegative(), id: z.string().min(1).max(300) });

export const encodeCursor = ({ failedAtMs, id }: Position): string =>
  Buffer.from(JSON.stringify({ t: failedAtMs, id })).toString('base64url');

export function decodeCursor(cursor: string): Position {
  try {
    const { t, id } = Decoded.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { failedAtMs: t, id };
  } catch (error) {
    throw new AppError('BAD_USER_INPUT', 'Invalid query', {
      cause: error,
      errors: [{ pointer: '/cursor', detail: 'not a cursor this API gave (nextCursor)' }],
    });
  }
}
