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

/** The namespace the schema of an element property names (`xml.namespace`), if any. */
const namespaceOf = (schema: JsonSchema): string | undefined =>
  (schema['xml'] as { namespace?: string } | undefined)?.namespace;

/** One prefix per namespace in an envelope: mf0, mf1, … */
function prefixFor(namespace: string, prefixes: Map<string, string>): string {
  let prefix = prefixes.get(namespace);
  if (prefix === undefined) {
    prefix = `mf${prefixes.size}`;
    prefixes.set(namespace, prefix);
  }
  return prefix;
}

/**
 * An element sent in a namespace of its own: under a prefix it declares itself, so that it is
 * right whatever prefixes node-soap chose around it.
 */
function declaringPrefix(value: unknown, prefix: string, namespace: string): unknown {
  const declaration = { [`xmlns:${prefix}`]: namespace };
  const declared = (one: unknown): unknown => {
    if (!isRecord(one)) return { $value: one, attributes: declaration };
    const attributes = isRecord(one['attributes']) ? one['attributes'] : {};
    return { ...one, attributes: { ...attributes, ...declaration } };
  };
  return Array.isArray(value) ? value.map(declared) : declared(value);
}

/**
 * Our JSON to the arguments node-soap serialises: properties the schema marks as XML attributes go
 * under `attributes`, simple content under `$value`, null as an explicit `xsi:nil`. Only what the
 * schema lists is sent (input validation already rejects the rest; this holds even without it); an
 * open type also takes undeclared properties, as plain elements.
 *
 * `namespace` is the enclosing element's, when known. node-soap puts an element that a base type
 * from another namespace declares (xsd:extension across schemas, as PayPal's API does) in the
 * derived type's namespace; such an element is sent under a prefix of its own instead.
 */
export function toSoapArguments(
  value: unknown,
  schema: JsonSchema,
  resolve: SchemaResolver,
  namespace?: string,
  prefixes = new Map<string, string>(),
): unknown {
  const { schema: inner } = unwrapNullable(resolve(schema));
  if (value === null) return { attributes: { 'xsi:nil': 'true' } };
  switch (schemaKind(inner, resolve)) {
    case 'array': {
      const items = (resolve(inner)['items'] ?? {}) as JsonSchema;
      return Array.isArray(value)
        ? value.map((entry) => toSoapArguments(entry, items, resolve, namespace, prefixes))
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
        else {
          const own = namespaceOf(declared) ?? namespaceOf(property);
          const content = toSoapArguments(entry, declared, resolve, own, prefixes);
          if (own !== undefined && namespace !== undefined && own !== namespace) {
            const prefix = prefixFor(own, prefixes);
            result[`${prefix}:${name}`] = declaringPrefix(content, prefix, own);
          } else result[name] = content;
        }
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
