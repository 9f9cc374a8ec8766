import { AppError } from '@manifold/platform/errors';
import type { ValidateFunction } from 'ajv';
import { fieldErrors } from '../mapping/field-errors.ts';
import { charactersXmlCannotCarry } from '../mapping/xml-characters.ts';

/** Whether `input` passes assertValid (without building the errors a refusal lists). */
export const isValid = (validate: ValidateFunction, input: unknown): boolean =>
  validate(input) && charactersXmlCannotCarry(input).length === 0;

/** Validates before any SOAP call: nothing invalid ever reaches the supplier. */
export function assertValid(validate: ValidateFunction, input: unknown, operation: string): void {
  const errors = validate(input) ? charactersXmlCannotCarry(input) : fieldErrors(validate.errors);
  if (errors.length > 0)
    throw new AppError('BAD_USER_INPUT', `Invalid input for ${operation}`, { errors });
}
