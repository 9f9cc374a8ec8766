import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
/** A JSON Schema (2020-12) object. */
export type JsonSchema = Record<string, unknown>;

const DOCUMENT_ID = 'manifold-soap-api.json';
// OpenAPI's numeric formats: the bounds in each schema already enforce them.
const ANNOTATION_FORMATS = [
  'int8',
  'int16',
  'int32',
  'int64',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'float',
  'double',
];

export interface SchemaValidator {
  /** Compiles a schema that may `$ref` the document's components. */
  compile(schema: JsonSchema): ValidateFunction;
}

/** JSON Schema 2020-12 validation (OpenAPI 3.1's dialect) over a generated document's components. */
export function createSchemaValidator(
  document: Record<string, unknown>,
  { coerceTypes = false }: { coerceTypes?: boolean | 'array' } = {},
): SchemaValidator {
  // coerceTypes: query strings (GET) carry numbers and booleans as text.
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: true, coerceTypes });
  // ajv-formats ships CommonJS with a default export object.
  (addFormats as unknown as (instance: Ajv2020) => void)(ajv);
  for (const format of ANNOTATION_FORMATS) ajv.addFormat(format, true);
  ajv.addSchema({ $id: DOCUMENT_ID, components: document['components'] }, DOCUMENT_ID);
  return {
    compile: (schema) =>
      ajv.compile(
        JSON.parse(
          JSON.stringify(schema).replaceAll('"#/components/', `"${DOCUMENT_ID}#/components/`),
        ) as JsonSchema,
      ),
  };
}
