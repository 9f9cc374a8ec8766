import { AppError } from '@manifold/platform/errors';
import type { ValidateFunction } from 'ajv';
import { fieldErrors } from '../mapping/field-errors.ts';

/** Validates before any SOAP call: nothing invalid ever reaches the supplier. */
export function assertValid(validate: ValidateFunction, input: unknown, operation: string): void {
  if (!validate(input)) {
    throw new AppError('BAD_USER_INPUT', `Invalid input for ${operation}`, {
      errors: fieldErrors(validate.errors),
    });
  }
}
