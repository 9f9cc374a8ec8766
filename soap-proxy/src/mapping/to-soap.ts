import type { JsonSchema } from '../wsdl/json-schema.ts';
import {
  isRecord,
  objectProperties,
  schemaKind,
  unwrapNullable,
  type SchemaResolver,
} from './schema-walk.ts';

/**
 * Our JSON to the arguments node-soap serialises: properties the schema marks as XML attributes go
 * under `attributes`, simple content under `$value`, null as an explicit `xsi:nil`.
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
      const result: Record<string, unknown> = {};
      const attributes: Record<string, unknown> = {};
      for (const [name, entry] of Object.entries(value)) {
        const property = resolve(properties[name] ?? {});
        if ((property['xml'] as { attribute?: boolean } | undefined)?.attribute === true)
          attributes[name] = entry;
        else if (property['x-xml-text'] === true) result['$value'] = entry;
        else result[name] = toSoapArguments(entry, properties[name] ?? {}, resolve);
      }
      if (Object.keys(attributes).length > 0) result['attributes'] = attributes;
      return result;
    }
    case 'integer':
    case 'number':
    case 'boolean':
    case 'string':
    case 'any':
      return value;
  }
}
