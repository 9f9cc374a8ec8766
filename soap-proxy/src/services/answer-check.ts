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

// The document promises RFC 3339 dates (what JSON clients expect), but node-soap hands over the
// supplier's text, and XSD lets a dateTime, date or time go without a time zone: checking answers
// against RFC 3339 would refuse answers the WSDL allows. Answers are held to XSD's lexical forms.
const ZONE = '(Z|[+-]\\d{2}:\\d{2})?';
const XSD_LEXICAL_FORMS: Record<string, string | undefined> = {
  'date-time': `^-?\\d{4,}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?${ZONE}$`,
  date: `^-?\\d{4,}-\\d{2}-\\d{2}${ZONE}$`,
  time: `^\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?${ZONE}$`,
  duration: '^-?P(?!$)(\\d+Y)?(\\d+M)?(\\d+D)?(T(?!$)(\\d+H)?(\\d+M)?(\\d+(\\.\\d+)?S)?)?$',
  'uri-reference': undefined, // xsd:anyURI takes almost any text
};

/** A copy of `value` with each date/time `format` replaced by the XSD lexical form's pattern. */
function withXsdLexicalForms<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withXsdLexicalForms) as T;
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) copy[key] = withXsdLexicalForms(entry);
  const format = copy['format'];
  if (typeof format === 'string' && format in XSD_LEXICAL_FORMS) {
    delete copy['format'];
    const pattern = XSD_LEXICAL_FORMS[format];
    if (pattern !== undefined && copy['pattern'] === undefined) copy['pattern'] = pattern;
  }
  return copy as T;
}

/**
 * Checks of normalised answers against the generated output schemas, compiled once per operation
 * at start-up. A failed check is the supplier's fault: 502, never cached, never retried.
 */
export function createAnswerChecks(document: Record<string, unknown>, upstream: string) {
  const validator = createSchemaValidator(withXsdLexicalForms(document));
  return {
    compile(operation: string, output: JsonSchema): AnswerCheck {
      const validate = validator.compile(withXsdLexicalForms(output));
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
