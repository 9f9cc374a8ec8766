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

/** OpenAPI's XML object on a property: an attribute, or the element's namespace. */
const xmlOf = (schema: JsonSchema) =>
  (schema['xml'] ?? {}) as { attribute?: boolean; namespace?: string };

/** One prefix per namespace in an envelope: mf0, mf1, … */
function prefixFor(namespace: string, prefixes: Map<string, string>): string {
  let prefix = prefixes.get(namespace);
  if (prefix === undefined) {
    prefix = `mf${prefixes.size}`;
    prefixes.set(namespace, prefix);
  }
  return prefix;
}

/** `value` as an element carrying extra attributes (namespace declarations); each item of an array. */
function withAttributes(value: unknown, extra: Record<string, string>): unknown {
  const one = (item: unknown): unknown => {
    if (!isRecord(item)) return { $value: item, attributes: extra };
    const attributes = isRecord(item['attributes']) ? item['attributes'] : {};
    return { ...item, attributes: { ...attributes, ...extra } };
  };
  return Array.isArray(value) ? value.map(one) : one(value);
}

/**
 * Our JSON to the arguments node-soap serialises: properties the schema marks as XML attributes go
 * under `attributes`, simple content under `$value`, null as an explicit `xsi:nil`. Only what the
 * schema lists is sent (input validation already rejects the rest; this holds even without it); an
 * open type also takes undeclared properties, as plain elements.
 *
 * `namespace` is the default namespace its unprefixed child elements land in, when known
 * (document/literal: node-soap declares the wrapper element's as the default). node-soap does not
 * get every element's namespace right, so, below a known one, this does:
 * - an element in another namespace (declared by a base type from another schema, as in PayPal's
 *   API, or a ref to another schema's element) goes under a prefix it declares itself, and
 *   declares its namespace the default for its own children;
 * - an unqualified element (no `xml.namespace`) declares no default namespace (`xmlns=""`), so
 *   that it is in no namespace whatever default surrounds it.
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
        const xml = xmlOf(property); // the resolver keeps a $ref's sibling `xml`
        if (xml.attribute === true) attributes[name] = entry;
        else if (property['x-xml-text'] === true) result['$value'] = entry;
        else {
          if (namespace === undefined) {
            result[name] = toSoapArguments(entry, declared, resolve, xml.namespace, prefixes);
            continue;
          }
          const target = xml.namespace ?? ''; // '': unqualified, in no namespace
          const content = toSoapArguments(entry, declared, resolve, target, prefixes);
          if (target === namespace) result[name] = content;
          else if (target === '') result[name] = withAttributes(content, { xmlns: '' });
          else {
            const prefix = prefixFor(target, prefixes);
            result[`${prefix}:${name}`] = withAttributes(content, {
              [`xmlns:${prefix}`]: target,
              xmlns: target,
            });
          }
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
