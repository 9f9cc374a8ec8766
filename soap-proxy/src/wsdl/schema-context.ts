import type { Element } from '@xmldom/xmldom';
import type { SchemaIndex } from './schema-index.ts';
import type { Direction, JsonSchema } from './xsd-builtins.ts';
import type { QName } from './xml.ts';

/**
 * What the content-model and simple-type mappers need from the builder that owns the components:
 * named types become `$ref`s (built once), anonymous ones are built in place.
 */
export interface SchemaContext {
  readonly index: SchemaIndex;
  /** Input schemas take decimals as numbers too, and need not repeat fixed or defaulted values. */
  readonly direction: Direction;
  /** A `fixed` or `default` value, typed as the schema's values are (a number for an int). */
  typedValue(lexical: string, schema: JsonSchema): unknown;
  /** A fresh id for the elements of one repeating sequence (sent interleaved: a1 b1 a2 b2). */
  nextRepeatGroup(): number;
  /** Schema of a named type: built-in inline, otherwise a `$ref` to its component. */
  typeRef(name: QName, referencedFrom: string): JsonSchema;
  /** An element declaration's value schema (type attribute, inline type, or anything). */
  elementSchema(element: Element): JsonSchema;
  /** An `xsd:simpleType` (named or inline). */
  simpleType(element: Element): JsonSchema;
}
