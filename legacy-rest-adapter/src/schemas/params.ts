import { z } from 'zod';

const DECIMAL = /^(0|[1-9]\d*)$/;

/**
 * A whole number in a URL (path or query): decimal digits only — no sign, spaces, exponent, hex
 * or leading zeros — and a safe integer, so `1e3`, `0x10`, ` 7`, `07` or `-7` never name another
 * record (as `Number()` would have them do). Documented as an integer.
 */
export const urlInteger = (schema: z.ZodNumber) =>
  z.preprocess((value, ctx) => {
    if (typeof value !== 'string') return value;
    if (!DECIMAL.test(value)) {
      ctx.addIssue({ code: 'custom', message: 'Expected a whole number in decimal digits' });
      return z.NEVER;
    }
    return Number(value);
  }, schema.int());

/** `{ id }` path parameters: a positive integer. */
export const idParams = (description: string, example: number) =>
  z.object({ id: urlInteger(z.number().positive()).meta({ description, example }) });

/** Cursor pages: `limit` (1–100, default 20) and the previous page's `nextCursor`. */
export const PageQuery = z.object({
  limit: urlInteger(z.number().min(1).max(100)).default(20),
  cursor: z.string().min(1).optional().meta({ description: 'nextCursor of the previous page' }),
});
