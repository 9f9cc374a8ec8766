import type { FieldError } from '@manifold/platform/errors';
import type { ErrorObject } from 'ajv';

/** One RFC 6901 reference token (`~` and `/` escaped). */
export const token = (name: string) => name.replaceAll('~', '~0').replaceAll('/', '~1');

/**
 * Ajv errors as field errors with RFC 6901 pointers. A missing property, and a property the schema
 * does not declare, point at the property itself, so each unknown field gets its own pointer.
 */
export function fieldErrors(errors: readonly ErrorObject[] | null | undefined): FieldError[] {
  return (errors ?? []).map((error) => {
    const params = error.params as {
      missingProperty?: string;
      additionalProperty?: string;
      unevaluatedProperty?: string;
    };
    const named =
      error.keyword === 'required'
        ? params.missingProperty
        : error.keyword === 'additionalProperties'
          ? params.additionalProperty
          : error.keyword === 'unevaluatedProperties'
            ? params.unevaluatedProperty
            : undefined;
    const unknown = error.keyword !== 'required' && named !== undefined;
    return {
      pointer: `${error.instancePath}${named === undefined ? '' : `/${token(named)}`}` || '/',
      detail: unknown ? 'is not a field the WSDL declares' : (error.message ?? 'is invalid'),
    };
  });
}
