import { NS } from './xml.ts';

export type JsonSchema = Record<string, unknown>;

const DECIMAL_PATTERN = '^[+-]?(\\d+(\\.\\d*)?|\\.\\d+)$';
const integer = (minimum?: number, maximum?: number, format?: string): JsonSchema => ({
  type: 'integer',
  ...(format === undefined ? {} : { format }),
  ...(minimum === undefined ? {} : { minimum }),
  ...(maximum === undefined ? {} : { maximum }),
});

/**
 * XSD built-in simple types as JSON Schema. Numbers JSON can hold exactly become numbers;
 * `decimal` stays a string (no binary rounding of money); 64-bit integers are integers
 * (exact up to 2^53, documented in the schema description).
 */
const BUILTINS: Record<string, JsonSchema> = {
  string: { type: 'string' },
  normalizedString: { type: 'string' },
  token: { type: 'string' },
  language: { type: 'string' },
  Name: { type: 'string' },
  NCName: { type: 'string' },
  NMTOKEN: { type: 'string' },
  NMTOKENS: { type: 'string' },
  ID: { type: 'string' },
  IDREF: { type: 'string' },
  IDREFS: { type: 'string' },
  ENTITY: { type: 'string' },
  ENTITIES: { type: 'string' },
  QName: { type: 'string' },
  NOTATION: { type: 'string' },
  anyURI: { type: 'string', format: 'uri-reference' },
  boolean: { type: 'boolean' },
  float: { type: 'number', format: 'float' },
  double: { type: 'number', format: 'double' },
  decimal: {
    type: 'string',
    pattern: DECIMAL_PATTERN,
    description: 'xsd:decimal, as a string to keep every digit',
  },
  integer: integer(),
  nonPositiveInteger: integer(undefined, 0),
  negativeInteger: integer(undefined, -1),
  nonNegativeInteger: integer(0),
  positiveInteger: integer(1),
  long: { ...integer(undefined, undefined, 'int64'), description: 'xsd:long; exact up to ±2^53' },
  unsignedLong: {
    ...integer(0, undefined, 'uint64'),
    description: 'xsd:unsignedLong; exact up to 2^53',
  },
  int: integer(-2_147_483_648, 2_147_483_647, 'int32'),
  unsignedInt: integer(0, 4_294_967_295, 'uint32'),
  short: integer(-32_768, 32_767, 'int16'),
  unsignedShort: integer(0, 65_535, 'uint16'),
  byte: integer(-128, 127, 'int8'),
  unsignedByte: integer(0, 255, 'uint8'),
  dateTime: { type: 'string', format: 'date-time' },
  date: { type: 'string', format: 'date' },
  time: { type: 'string', format: 'time' },
  duration: { type: 'string', format: 'duration' },
  gYear: { type: 'string', pattern: '^-?\\d{4,}(Z|[+-]\\d{2}:\\d{2})?$' },
  gYearMonth: { type: 'string' },
  gMonth: { type: 'string' },
  gMonthDay: { type: 'string' },
  gDay: { type: 'string' },
  base64Binary: { type: 'string', contentEncoding: 'base64' },
  hexBinary: { type: 'string', pattern: '^([0-9a-fA-F]{2})*$' },
  anySimpleType: { type: ['string', 'number', 'boolean'] },
  anyType: {},
};

/** The JSON Schema of a built-in type (XSD, or its SOAP-encoding twin), or undefined. */
export function builtinSchema(ns: string, name: string): JsonSchema | undefined {
  if (
    ns !== NS.xsd &&
    ns !== NS.soapEnc &&
    ns !== 'http://www.w3.org/1999/XMLSchema' &&
    ns !== 'http://www.w3.org/2000/10/XMLSchema'
  )
    return undefined;
  const schema = BUILTINS[name];
  return schema ? structuredClone(schema) : undefined;
}

/** Whether values of this built-in are JSON numbers (enum values and bounds are then numbers too). */
export function isNumericSchema(schema: JsonSchema): boolean {
  return schema['type'] === 'integer' || schema['type'] === 'number';
}
