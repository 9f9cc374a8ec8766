import { AppError } from '@manifold/platform/errors';

/** `first` on plain lists follows the connection rule: 0..100, else BAD_USER_INPUT. */
export function listLimit(first: number | null | undefined, fallback: number, max = 100): number {
  const limit = first ?? fallback;
  if (!Number.isInteger(limit) || limit < 0 || limit > max) {
    throw new AppError('BAD_USER_INPUT', `first must be between 0 and ${max}`, {
      errors: [{ pointer: '/first', detail: `must be an integer from 0 to ${max}` }],
    });
  }
  return limit;
}
