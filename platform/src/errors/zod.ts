import type { z } from 'zod';
import { AppError, type FieldError } from './AppError.ts';

/** Zod issues as field errors addressed by RFC 6901 JSON pointers under `prefix` (e.g. '/input'). */
export function zodFieldErrors(error: z.ZodError, prefix = ''): FieldError[] {
  return error.issues.map((issue) => ({
    pointer:
      `${prefix}/${issue.path.map((part) => String(part).replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`.replace(
        /\/$/,
        '',
      ),
    detail: issue.message,
  }));
}

/** Parses `value` or throws BAD_USER_INPUT listing every invalid field. */
export function parseInput<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  { prefix = '', what = 'input' } = {},
): z.infer<Schema> {
  const result = schema.safeParse(value);
  if (!result.success)
    throw new AppError('BAD_USER_INPUT', `Invalid ${what}`, {
      errors: zodFieldErrors(result.error, prefix),
    });
  return result.data;
}
