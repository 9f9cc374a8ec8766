import type { JsonSchema } from '../wsdl/json-schema.ts';
import {
  isOpenObject,
  isRecord,
  objectProperties,
  schemaKind,
  unwrapNullable,
  type SchemaResolver,
} from './schema-walk.ts';

const stripPrefix = (key: string) => key.slice(key.indexOf(':') + 1);

/** `{ attributes: { 'xsi:nil': 'true' } }` and friends: how node-soap hands over an explicit nil. */
function isNil(value: unknown): boolean {
  if (!isRecord(value)) return false;
  const attributes = value['attributes'];
  return (
    isRecord(attributes) &&
    Object.entries(attributes).some(
      ([key, flag]) => stripPrefix(key) === 'nil' && (flag === 'true' || flag === true),
    )
  );
}

/**
 * Shapes what node-soap parsed into exactly the generated schema: arrays always arrays (0, 1 or n
 * items, SOAP-ENC `item` wrappers unwrapped), numbers and booleans typed, `xsi:type` wrappers and
 * namespace prefixes gone, attributes beside elements, simple content under `value`.
 */
export function normalise(value: unknown, schema: JsonSchema, resolve: SchemaResolver): unknown {
  const { schema: inner, nullable } = unwrapNullable(resolve(schema));
  const kind = schemaKind(inner, resolve);
  if (value === undefined && kind === 'array') return [];
  if (isNil(value)) return nullable ? null : undefined;
  // node-soap parses an empty element (<Result></Result>) as null: present, with no content.
  if (value === null) {
    if (kind === 'object') return normalise({}, schema, resolve);
    if (kind === 'array') return [];
    if (kind === 'string') return '';
    return nullable ? null : undefined;
  }
  if (value === undefined) return undefined;
  const properties = kind === 'object' ? objectProperties(inner, resolve) : {};
  // `{ attributes: { 'xsi:type': … }, $value: x }` is a typed leaf unless the schema wants the attributes.
  if (isRecord(value) && '$value' in value && !('value' in properties))
    return normalise(value['$value'], schema, resolve);

  switch (kind) {
    case 'array': {
      const items = (resolve(inner)['items'] ?? {}) as JsonSchema;
      let list: unknown = value;
      // SOAP-ENC arrays arrive as `{ item: … }` (or another single wrapper key the item schema lacks).
      if (isRecord(list)) {
        const keys = Object.keys(list).filter((key) => key !== 'attributes');
        const itemProperties =
          schemaKind(items, resolve) === 'object' ? objectProperties(items, resolve) : {};
        const [only] = keys;
        if (keys.length === 1 && only !== undefined && !(stripPrefix(only) in itemProperties))
          list = list[only];
      }
      const entries = Array.isArray(list)
        ? list
        : list === undefined || list === null
          ? []
          : [list];
      return entries.map((entry) => normalise(entry, items, resolve));
    }
    case 'object': {
      if (!isRecord(value))
        return 'value' in properties
          ? { value: normalise(value, properties['value'] ?? {}, resolve) }
          : value;
      const flat: Record<string, unknown> = {};
      for (const [key, entry] of Object.entries(value)) {
        if (key === 'attributes' && isRecord(entry)) {
          for (const [attribute, attributeValue] of Object.entries(entry))
            flat[stripPrefix(attribute)] = attributeValue;
        } else if (key === '$value') {
          flat['value'] = entry;
        } else {
          flat[stripPrefix(key)] = entry;
        }
      }
      const result: Record<string, unknown> = {};
      const open = isOpenObject(inner, resolve);
      for (const [name, propertySchema] of Object.entries(properties)) {
        const normalised = normalise(flat[name], propertySchema, resolve);
        if (normalised !== undefined) result[name] = normalised;
        else if (schemaKind(unwrapNullable(resolve(propertySchema)).schema, resolve) === 'array')
          result[name] = [];
      }
      if (open)
        for (const [name, entry] of Object.entries(flat))
          if (!(name in properties) && name !== 'type' && name !== 'nil') result[name] = entry;
      return result;
    }
    case 'integer':
    case 'number': {
      const number = typeof value === 'number' ? value : Number(value);
      return Number.isNaN(number) ? value : number;
    }
    case 'boolean':
      return value === true || value === 'true' || value === '1'
        ? true
        : value === false || value === 'false' || value === '0'
          ? false
          : value;
    case 'string':
      if (value instanceof Date) return value.toISOString();
      return typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint'
        ? String(value)
        : value;
    case 'any':
      return value;
  }
}

/**
 * A SOAP fault's detail, normalised like an answer when it carries a declared fault element;
 * anything else (a fault the WSDL never declared) is passed on as node-soap parsed it.
 */
export function normaliseFaultDetail(
  detail: unknown,
  schema: JsonSchema | undefined,
  resolve: SchemaResolver,
): unknown {
  if (!schema || !isRecord(detail)) return detail;
  const declared = objectProperties(schema, resolve);
  const carriesDeclared = Object.keys(detail).some((key) => stripPrefix(key) in declared);
  return carriesDeclared ? normalise(detail, schema, resolve) : detail;
}
