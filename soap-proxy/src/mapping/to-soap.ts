import type { JsonSchema } from '../wsdl/json-schema.ts';
import {
  isOpenObject,
  isRecord,
  objectProperties,
  schemaKind,
  unwrapNullable,
  type SchemaResolver,
} from './schema-walk.ts';

/** Keys node-soap reads as instructions, not elements: `$xml` is sent as raw XML. */
const NODE_SOAP_KEYS = new Set(['attributes', '$value', '$xml']);

/** Untyped content (xsd:any, anyType) as plain elements: node-soap's instruction keys removed at every level. */
function plainContent(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plainContent);
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !NODE_SOAP_KEYS.has(key))
      .map(([key, entry]) => [key, plainContent(entry)]),
  );
}

/**
 * Our JSON to the arguments node-soap serialises: properties the schema marks as XML attributes go
 * under `attributes`, simple content under `$value`, null as an explicit `xsi:nil`. Only what the
 * schema lists is sent (input validation already rejects the rest; this holds even without it); an
 * open type also takes undeclared properties, as plain elements.
 */
export function toSoapArguments(
  value: unknown,
  schema: JsonSchema,
  resolve: SchemaResolver,
): unknown {
  const { schema: inner } = unwrapNullable(resolve(schema));
  if (value === null) return { attributes: { 'xsi:nil': 'true' } };
  switch (schemaKind(inner, resolve)) {
    case 'array': {
      const items = (resolve(inner)['items'] ?? {}) as JsonSchema;
      return Array.isArray(value)
        ? value.map((entry) => toSoapArguments(entry, items, resolve))
        : value;
    }
    case 'object': {
      if (!isRecord(value)) return value;
      const properties = objectProperties(inner, resolve);
      const open = isOpenObject(inner, resolve);
      const result: Record<string, unknown> = {};
      const attributes: Record<string, unknown> = {};
      for (const [name, entry] of Object.entries(value)) {
        const declared = properties[name];
        if (declared === undefined) {
          if (open && !NODE_SOAP_KEYS.has(name)) result[name] = plainContent(entry);
          continue;
        }
        const property = resolve(declared);
        if ((property['xml'] as { attribute?: boolean } | undefined)?.attribute === true)
          attributes[name] = entry;
        else if (property['x-xml-text'] === true) result['$value'] = entry;
        else result[name] = toSoapArguments(entry, declared, resolve);
      }
      if (Object.keys(attributes).length > 0) result['attributes'] = attributes;
      return result;
    }
    case 'integer':
    case 'number':
    case 'boolean':
    case 'string':
      return value;
    case 'any':
      return plainContent(value);
  }
}
