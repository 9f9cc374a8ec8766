import type { FieldError } from '@manifold/platform/errors';
import { isDecimalSchema, type JsonSchema } from '../wsdl/xsd-builtins.ts';
import { NS, type QName } from '../wsdl/xml.ts';
import { escapeAttribute, escapeText, type NamespacePrefixes } from '../xml/namespaces.ts';
import { plainDecimal } from './exact-numbers.ts';
import { token } from './field-errors.ts';
import {
  isOpenObject,
  isRecord,
  objectProperties,
  schemaKind,
  unwrapNullable,
  type SchemaResolver,
} from './schema-walk.ts';

/** What writing one envelope needs, and what it found wrong with the input. */
export interface WriteContext {
  resolve: SchemaResolver;
  prefixes: NamespacePrefixes;
  /** Whether `holder[key]` was a JSON number that lost digits (mapping/exact-numbers.ts). */
  inexact: (holder: object, key: string) => boolean;
  /** Input the schema allowed but XML cannot carry as sent: 400, nothing is sent. */
  problems: FieldError[];
}

/** OpenAPI's XML object, with the vendor extensions the schema builder adds. */
interface XmlObject {
  namespace?: string;
  attribute?: boolean;
  wrapped?: boolean;
  'x-item-type'?: string;
  'x-array-type'?: string;
  'x-repeat-group'?: number;
  'x-send-when-omitted'?: boolean;
}
const xmlOf = (schema: JsonSchema) => (schema['xml'] ?? {}) as XmlObject;

// An XML name (the ASCII part of XML's rules, which every JSON key an open type carries is checked against).
const XML_NAME = /^[A-Za-z_][\w.-]*$/;

const qnameOf = (key: string): QName => {
  const [, ns = '', name = ''] = /^\{(.*)\}(.*)$/.exec(key) ?? [];
  return { ns, name };
};

/** Where a value sits: its holder and key (for exactness), and its RFC 6901 pointer. */
interface Place {
  holder: object | undefined;
  key: string;
  pointer: string;
}
const child = (holder: object, key: string, pointer: string): Place => ({
  holder,
  key,
  pointer: `${pointer}/${token(key)}`,
});

/** A JSON scalar's text (what else reaches here was refused by validation). */
const plainText = (value: unknown) =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : '';

/** A scalar as the text XSD's lexical space takes; a number JSON could not hold exactly is refused where exactness matters. */
function scalarText(value: unknown, schema: JsonSchema, place: Place, context: WriteContext) {
  if (typeof value !== 'number') return plainText(value);
  const decimal = isDecimalSchema(schema, context.resolve);
  const integer = schemaKind(schema, context.resolve) === 'integer';
  if ((decimal || integer) && place.holder && context.inexact(place.holder, place.key))
    context.problems.push({
      pointer: place.pointer || '/',
      detail: decimal
        ? 'has more digits than a JSON number holds exactly: send it as a string'
        : 'is beyond the integers a JSON number holds exactly (±2^53)',
    });
  if (decimal) return plainDecimal(value);
  return integer && Number.isInteger(value) ? BigInt(value).toString() : String(value);
}

function typeAttribute(type: QName | undefined, context: WriteContext): string {
  if (!type) return '';
  return ` ${context.prefixes.qualified(NS.xsi, 'type')}="${context.prefixes.qualified(type.ns, type.name)}"`;
}

/**
 * Writes `value` as the element `{ns}name` of `schema`: properties in the order the schema
 * declares them (xs:sequence order, whatever the JSON key order), the elements of a repeating
 * sequence interleaved (a1 b1 a2 b2), attributes as attributes in their namespace, simple content
 * as text, null as xsi:nil, SOAP-ENC arrays with xsi:type and SOAP-ENC:arrayType. Fixed and
 * defaulted values the caller left out are filled in; only what the schema declares is written
 * (an open type also takes undeclared properties, as plain elements).
 */
export function writeElement(
  out: string[],
  name: QName,
  value: unknown,
  schema: JsonSchema,
  context: WriteContext,
  place: Place,
  { xsiType, attributes = '' }: { xsiType?: QName | undefined; attributes?: string } = {},
): void {
  if (value === undefined) return;
  const tag = context.prefixes.qualified(name.ns, name.name);
  const resolved = context.resolve(schema);
  const { schema: inner } = unwrapNullable(resolved);
  if (value === null) {
    out.push(`<${tag}${attributes} ${context.prefixes.qualified(NS.xsi, 'nil')}="true"/>`);
    return;
  }
  switch (schemaKind(inner, context.resolve)) {
    case 'array': {
      const items = context.resolve((inner['items'] ?? {}) as JsonSchema);
      const list = Array.isArray(value) ? value : [value];
      const xml = xmlOf(resolved);
      const itemType = xml['x-item-type'] === undefined ? undefined : qnameOf(xml['x-item-type']);
      const arrayType = xsiType ?? (xml['x-array-type'] ? qnameOf(xml['x-array-type']) : undefined);
      const soapEnc = (local: string) => context.prefixes.qualified(NS.soapEnc, local);
      const declared = itemType
        ? ` ${soapEnc('arrayType')}="${context.prefixes.qualified(itemType.ns, itemType.name)}[${list.length}]"`
        : '';
      out.push(
        `<${tag}${attributes}${typeAttribute(arrayType ?? { ns: NS.soapEnc, name: 'Array' }, context)}${declared}>`,
      );
      list.forEach((item, index) => {
        writeElement(
          out,
          { ns: '', name: 'item' },
          item,
          items,
          context,
          child(list, String(index), place.pointer),
          { xsiType: itemType },
        );
      });
      out.push(`</${tag}>`);
      return;
    }
    case 'object':
      if (!isRecord(value)) break;
      writeObject(
        out,
        tag,
        name.ns,
        value,
        inner,
        context,
        place,
        typeAttribute(xsiType, context) + attributes,
      );
      return;
    case 'any':
      writePlain(out, name, value, context, place);
      return;
    case 'integer':
    case 'number':
    case 'boolean':
    case 'string':
      break;
  }
  const text = escapeText(scalarText(value, inner, place, context));
  out.push(`<${tag}${typeAttribute(xsiType, context)}${attributes}>${text}</${tag}>`);
}

function writeObject(
  out: string[],
  tag: string,
  namespace: string,
  value: Record<string, unknown>,
  schema: JsonSchema,
  context: WriteContext,
  place: Place,
  attributes: string,
): void {
  const properties = Object.entries(objectProperties(schema, context.resolve));
  let ownAttributes = attributes;
  let text = '';
  const children: string[] = [];
  const written = new Set<string>();
  const present = (name: string, property: JsonSchema) => {
    const given = value[name];
    if (given !== undefined || xmlOf(property)['x-send-when-omitted'] !== true) return given;
    return property['const'] ?? property['default'];
  };
  for (const [name, declared] of properties) {
    if (written.has(name)) continue;
    const property = context.resolve(declared);
    const xml = xmlOf(property);
    const entry = present(name, property);
    const at = child(value, name, place.pointer);
    if (xml.attribute === true) {
      if (entry === undefined || entry === null) continue;
      const attributeName = context.prefixes.qualified(xml.namespace ?? '', name);
      ownAttributes += ` ${attributeName}="${escapeAttribute(scalarText(entry, unwrapNullable(property).schema, at, context))}"`;
    } else if (property['x-xml-text'] === true) {
      if (entry !== undefined && entry !== null)
        text = escapeText(scalarText(entry, unwrapNullable(property).schema, at, context));
    } else if (xml['x-repeat-group'] !== undefined) {
      // A repeating sequence: one round of every member per occurrence.
      const group = properties.filter(
        ([, other]) => xmlOf(context.resolve(other))['x-repeat-group'] === xml['x-repeat-group'],
      );
      const rounds = Math.max(
        ...group.map(([member]) => (Array.isArray(value[member]) ? value[member].length : 1)),
      );
      for (let round = 0; round < rounds; round++)
        for (const [member, memberSchema] of group) {
          const list: unknown = value[member];
          const entryOfRound: unknown = Array.isArray(list)
            ? list[round]
            : round === 0
              ? list
              : undefined;
          writeProperty(
            children,
            member,
            entryOfRound,
            memberSchema,
            context,
            {
              holder: Array.isArray(list) ? list : value,
              key: Array.isArray(list) ? String(round) : member,
              pointer: `${child(value, member, place.pointer).pointer}${Array.isArray(list) ? `/${round}` : ''}`,
            },
            true,
          );
          written.add(member);
        }
    } else {
      writeProperty(children, name, entry, declared, context, at, false);
    }
  }
  if (isOpenObject(schema, context.resolve)) {
    const declaredNames = new Set(properties.map(([name]) => name));
    for (const [name, entry] of Object.entries(value))
      if (!declaredNames.has(name))
        writePlain(
          children,
          { ns: namespace, name },
          entry,
          context,
          child(value, name, place.pointer),
        );
  }
  if (children.length === 0 && text === '') out.push(`<${tag}${ownAttributes}/>`);
  else out.push(`<${tag}${ownAttributes}>${text}`, ...children, `</${tag}>`);
}

/** One property: a repeated element once per item (unless `single`: one item of a repeating sequence). */
function writeProperty(
  out: string[],
  name: string,
  value: unknown,
  declared: JsonSchema,
  context: WriteContext,
  place: Place,
  single: boolean,
): void {
  const property = context.resolve(declared);
  const elementName = { ns: xmlOf(property).namespace ?? '', name };
  const { schema: inner } = unwrapNullable(property);
  const repeated =
    schemaKind(inner, context.resolve) === 'array' && xmlOf(property).wrapped !== true;
  if (!repeated || value === null || value === undefined) {
    writeElement(out, elementName, value, declared, context, place);
    return;
  }
  const items = (inner['items'] ?? {}) as JsonSchema;
  if (single) {
    writeElement(out, elementName, value, items, context, place);
    return;
  }
  const list = Array.isArray(value) ? value : [value];
  list.forEach((item, index) => {
    writeElement(out, elementName, item, items, context, child(list, String(index), place.pointer));
  });
}

/** Untyped content (xsd:any, anyType): objects as elements in `name`'s namespace, arrays as repeats. */
function writePlain(
  out: string[],
  name: QName,
  value: unknown,
  context: WriteContext,
  place: Place,
): void {
  if (!XML_NAME.test(name.name)) {
    context.problems.push({ pointer: place.pointer || '/', detail: 'is not a name XML can carry' });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      writePlain(out, name, item, context, child(value, String(index), place.pointer));
    });
    return;
  }
  const tag = context.prefixes.qualified(name.ns, name.name);
  if (value === null) {
    out.push(`<${tag} ${context.prefixes.qualified(NS.xsi, 'nil')}="true"/>`);
    return;
  }
  if (!isRecord(value)) {
    out.push(`<${tag}>${escapeText(plainText(value))}</${tag}>`);
    return;
  }
  out.push(`<${tag}>`);
  for (const [key, entry] of Object.entries(value))
    writePlain(out, { ns: name.ns, name: key }, entry, context, child(value, key, place.pointer));
  out.push(`</${tag}>`);
}
