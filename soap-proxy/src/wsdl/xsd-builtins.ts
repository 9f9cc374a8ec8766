import { NS } from './xml.ts';

export type JsonSchema = Record<string, unknown>;

/** Which way a schema describes data: what clients send (input) or what they are answered (output). */
export type Direction = 'input' | 'output';

const DECIMAL_PATTERN = '^[+-]?(\\d+(\\.\\d*)?|\\.\\d+)$';
// XSD's own lexical forms. JSON Schema's `date-time`, `date`, `time` and `duration` formats are
// RFC 3339's, which demand a time zone (and forbid negative durations): stricter than XSD, so a
// valid answer or input would be refused. The time zone is optional, and kept as sent.
const ZONE = '(Z|[+-]((0\\d|1[0-3]):[0-5]\\d|14:00))?';
const YEAR = '-?([1-9]\\d{3,}|0\\d{3})';
const MONTH = '(0[1-9]|1[0-2])';
const DAY = '(0[1-9]|[12]\\d|3[01])';
const TIME = '(([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(\\.\\d+)?|24:00:00(\\.0+)?)';
const lexical = (pattern: string, description: string): JsonSchema => ({
  type: 'string',
  pattern: `^${pattern}$`,
  description,
});
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
  anyURI: { type: 'string' }, // XSD takes almost any text as a URI reference
  boolean: { type: 'boolean' },
  float: { type: 'number', format: 'float' },
  double: { type: 'number', format: 'double' },
  decimal: {
    type: 'string',
    pattern: DECIMAL_PATTERN,
    'x-xsd-type': 'decimal',
    description: 'xsd:decimal, answered as a string to keep every digit',
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
  dateTime: lexical(
    `${YEAR}-${MONTH}-${DAY}T${TIME}${ZONE}`,
    'xsd:dateTime (e.g. 2026-12-03T10:00:00Z, 2026-12-03T10:00:00+01:00 or, without a time zone, 2026-12-03T10:00:00)',
  ),
  date: lexical(`${YEAR}-${MONTH}-${DAY}${ZONE}`, 'xsd:date (e.g. 2026-12-03, 2026-12-03+01:00)'),
  time: lexical(`${TIME}${ZONE}`, 'xsd:time (e.g. 10:00:00, 10:00:00Z)'),
  duration: lexical(
    '-?P(?!$)(\\d+Y)?(\\d+M)?(\\d+D)?(T(?!$)(\\d+H)?(\\d+M)?(\\d+(\\.\\d+)?S)?)?',
    'xsd:duration (e.g. P1DT2H, -PT30M)',
  ),
  gYear: lexical(`${YEAR}${ZONE}`, 'xsd:gYear'),
  gYearMonth: lexical(`${YEAR}-${MONTH}${ZONE}`, 'xsd:gYearMonth'),
  gMonth: lexical(`--${MONTH}${ZONE}`, 'xsd:gMonth'),
  gMonthDay: lexical(`--${MONTH}-${DAY}${ZONE}`, 'xsd:gMonthDay'),
  gDay: lexical(`---${DAY}${ZONE}`, 'xsd:gDay'),
  base64Binary: {
    type: 'string',
    contentEncoding: 'base64',
    // XSD's canonical padding: the bits the padding leaves over are zero.
    pattern: '^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)?$',
  },
  hexBinary: { type: 'string', pattern: '^([0-9a-fA-F]{2})*$' },
  anySimpleType: { type: ['string', 'number', 'boolean'] },
  anyType: {},
};

/**
 * The JSON Schema of a built-in type (XSD, or its SOAP-encoding twin), or undefined. Clients may
 * send a decimal as a JSON number (taken when no digit is lost: mapping/exact-numbers.ts); answers
 * always carry it as a string.
 */
export function builtinSchema(
  ns: string,
  name: string,
  direction: Direction = 'output',
): JsonSchema | undefined {
  if (
    ns !== NS.xsd &&
    ns !== NS.soapEnc &&
    ns !== 'http://www.w3.org/1999/XMLSchema' &&
    ns !== 'http://www.w3.org/2000/10/XMLSchema'
  )
    return undefined;
  const schema = BUILTINS[name];
  if (!schema) return undefined;
  if (name === 'decimal' && direction === 'input')
    return {
      ...schema,
      type: ['string', 'number'],
      description: 'xsd:decimal: a string, or a JSON number when it holds every digit exactly',
    };
  return structuredClone(schema);
}

/** Whether values of this schema are xsd:decimal (through restrictions, which keep or `allOf` it). */
export function isDecimalSchema(
  schema: JsonSchema,
  resolve: (schema: JsonSchema) => JsonSchema = (same) => same,
): boolean {
  const resolved = resolve(schema);
  if (resolved['x-xsd-type'] === 'decimal') return true;
  const allOf = resolved['allOf'];
  return Array.isArray(allOf) && allOf.some((part) => isDecimalSchema(part as JsonSchema, resolve));
}

/** Whether values of this built-in are JSON numbers (enum values and bounds are then numbers too). */
export function isNumericSchema(schema: JsonSchema): boolean {
  return schema['type'] === 'integer' || schema['type'] === 'number';
}
