import type { FieldError } from '@manifold/platform/errors';
import { createSchemaValidator } from '@manifold/platform/openapi';
import { UpstreamError } from '@manifold/platform/resilience';
import { fieldErrors } from '../mapping/field-errors.ts';
import type { JsonSchema } from '../wsdl/json-schema.ts';

/** Why an answer was refused: the UpstreamError's cause, so it is logged but never sent to the caller. */
export class AnswerMismatchError extends Error {
  override name = 'AnswerMismatchError';
  readonly validationErrors: readonly FieldError[];

  constructor(operation: string, validationErrors: readonly FieldError[]) {
    super(
      `${operation} answer: ${validationErrors.map((error) => `${error.pointer} ${error.detail}`).join('; ')}`,
    );
    this.validationErrors = validationErrors;
  }
}

/** Throws UPSTREAM_ERROR (502, not transient) unless a normalised answer matches the output schema. */
export type AnswerCheck = (answer: unknown) => void;

/**
 * Checks of answers (as read by mapping/from-xml.ts) against the generated output schemas, compiled once per operation
 * at start-up. A failed check is the supplier's fault: 502, never cached, never retried.
 */
export function createAnswerChecks(document: Record<string, unknown>, upstream: string) {
  const validator = createSchemaValidator(document);
  return {
    compile(operation: string, output: JsonSchema): AnswerCheck {
      const validate = validator.compile(output);
      return (answer) => {
        if (validate(answer)) return;
        throw new UpstreamError(
          'UPSTREAM_ERROR',
          upstream,
          `${upstream} sent an answer that does not match its WSDL`,
          {
            transient: false,
            cause: new AnswerMismatchError(operation, fieldErrors(validate.errors)),
          },
        );
      };
    },
  };
}
