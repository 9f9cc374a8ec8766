import type { Element } from '@xmldom/xmldom';
import type { SchemaIndex } from './schema-index.ts';
import type { JsonSchema } from './xsd-builtins.ts';
import type { QName } from './xml.ts';

/**
 * What the content-model and simple-type mappers need from the builder that owns the components:
 * named types become `$ref`s (built once), anonymous ones are built in place.
 */
export interface SchemaContext {
  readonly index: SchemaIndex;
  /** Schema of a named type: built-in inline, otherwise a `$ref` to its component. */
  typeRef(name: QName, referencedFrom: string): JsonSchema;
  /** An element declaration's value schema (type attribute, inline type, or anything). */
  elementSchema(element: Element): JsonSchema;
  /** An `xsd:simpleType` (named or inline). */
  simpleType(element: Element): JsonSchema;
}
