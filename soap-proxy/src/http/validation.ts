import { AppError, type FieldError } from '@manifold/platform/errors';
import type { ErrorObject, ValidateFunction } from 'ajv';

/** Ajv errors as field errors with RFC 6901 pointers (a missing property points at itself). */
function fieldErrors(errors: readonly ErrorObject[] | null | undefined): FieldError[] {
  return (errors ?? []).map((error) => {
    const missing =
      error.keyword === 'required'
        ? `/${(error.params as { missingProperty?: string }).missingProperty ?? ''}`
        : '';
    return {
      pointer: `${error.instancePath}${missing}` || '/',
      detail: error.message ?? 'is invalid',
    };
  });
}

/** Validates before any SOAP call: nothing invalid ever reaches the supplier. */
export function assertValid(validate: ValidateFunction, input: unknown, operation: string): void {
  if (!validate(input)) {
    throw new AppError('BAD_USER_INPUT', `Invalid input for ${operation}`, {
      errors: fieldErrors(validate.errors),
    });
  }
}
