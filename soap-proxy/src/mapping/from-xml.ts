import type { Element } from '@xmldom/xmldom';
import type { JsonSchema } from '../wsdl/xsd-builtins.ts';
import { childElements, NS } from '../wsdl/xml.ts';
import {
  isOpenObject,
  objectProperties,
  schemaKind,
  unwrapNullable,
  type SchemaResolver,
} from './schema-walk.ts';

const XMLNS = 'http://www.w3.org/2000/xmlns/';

export interface ReadContext {
  resolve: SchemaResolver;
  /** SOAP-encoded multi-references: the element with `id`, anywhere in the Body. */
  byId: (id: string) => Element | undefined;
}

const isNil = (element: Element) => {
  const nil = element.getAttributeNS(NS.xsi, 'nil');
  return nil === 'true' || nil === '1';
};

/** A SOAP-encoded `href="#id"` leads to the element that holds the value. */
function target(element: Element, context: ReadContext): Element {
  const href = element.getAttribute('href');
  return href?.startsWith('#') ? (context.byId(href.slice(1)) ?? element) : element;
}

/** Own attributes other than namespace declarations and xsi's. */
const plainAttributes = (element: Element) =>
  Array.from({ length: element.attributes.length }, (_, index) => element.attributes.item(index))
    .filter((attribute) => attribute !== null)
    .filter(
      (attribute) =>
        attribute.namespaceURI !== XMLNS &&
        attribute.namespaceURI !== NS.xsi &&
        attribute.name !== 'xmlns' &&
        attribute.name !== 'href' &&
        attribute.name !== 'id',
    );

function scalar(text: string, kind: string, nullable: boolean): unknown {
  switch (kind) {
    case 'integer':
    case 'number': {
      if (text.trim() === '') return nullable ? null : undefined;
      const number = Number(text);
      return Number.isNaN(number) ? text : number; // left as text: the answer check refuses it
    }
    case 'boolean': {
      const trimmed = text.trim();
      if (trimmed === '') return nullable ? null : undefined;
      return trimmed === 'true' || trimmed === '1'
        ? true
        : trimmed === 'false' || trimmed === '0'
          ? false
          : text;
    }
    default:
      return text;
  }
}

/**
 * An answer's element as the JSON its schema describes: arrays always arrays (0, 1 or n repeats;
 * a SOAP-ENC array's items, whatever they are called), numbers and booleans typed, text (dates,
 * decimals) exactly as sent, attributes beside elements, simple content under `value`, xsi:nil as
 * null, SOAP-encoded `href`s followed. Elements are matched by local name: the answer's prefixes
 * and namespaces are the supplier's business, the answer check judges the result.
 */
export function readElement(
  found: Element,
  schema: JsonSchema,
  context: ReadContext,
  depth = 0,
): unknown {
  const element = target(found, context);
  const resolved = context.resolve(schema);
  const { schema: inner, nullable } = unwrapNullable(resolved);
  if (isNil(element)) return nullable ? null : undefined;
  if (depth > 256) return undefined; // a cycle of hrefs
  const kind = schemaKind(inner, context.resolve);
  switch (kind) {
    case 'array': {
      const items = (inner['items'] ?? {}) as JsonSchema;
      return childElements(element).map((item) => readElement(item, items, context, depth + 1));
    }
    case 'object':
      return readObject(element, inner, context, depth);
    case 'any':
      return readPlain(element);
    case 'integer':
    case 'number':
    case 'boolean':
    case 'string':
      return scalar(element.textContent ?? '', kind, nullable);
  }
}

function readObject(
  element: Element,
  schema: JsonSchema,
  context: ReadContext,
  depth: number,
): Record<string, unknown> {
  const properties = objectProperties(schema, context.resolve);
  const open = isOpenObject(schema, context.resolve);
  const result: Record<string, unknown> = {};
  const schemaOf = (name: string) => {
    const declared = properties[name];
    return declared === undefined ? undefined : context.resolve(declared);
  };
  for (const attribute of plainAttributes(element)) {
    const name = attribute.localName ?? attribute.name;
    const property = schemaOf(name);
    if (property) {
      const { schema: inner, nullable } = unwrapNullable(property);
      result[name] = scalar(attribute.value, schemaKind(inner, context.resolve), nullable);
    } else if (open) result[name] = attribute.value;
  }
  let text = '';
  for (let node = element.firstChild; node !== null; node = node.nextSibling) {
    if (node.nodeType === 3 || node.nodeType === 4) {
      text += node.nodeValue ?? '';
      continue;
    }
    if (node.nodeType !== 1) continue;
    const childElement = node as Element;
    const name = childElement.localName ?? '';
    const property = schemaOf(name);
    if (!property) {
      if (open) addRepeat(result, name, readPlain(target(childElement, context)));
      continue;
    }
    const { schema: inner } = unwrapNullable(property);
    const xml = (property['xml'] ?? {}) as { wrapped?: boolean };
    if (schemaKind(inner, context.resolve) === 'array' && xml.wrapped !== true) {
      const list = (result[name] ??= []) as unknown[];
      list.push(
        readElement(childElement, (inner['items'] ?? {}) as JsonSchema, context, depth + 1),
      );
    } else {
      const value = readElement(childElement, property, context, depth + 1);
      if (value !== undefined) result[name] = value;
    }
  }
  for (const [name, declared] of Object.entries(properties)) {
    const property = context.resolve(declared);
    if (property['x-xml-text'] === true) {
      const { schema: inner, nullable } = unwrapNullable(property);
      const value = scalar(text, schemaKind(inner, context.resolve), nullable);
      if (value !== undefined) result[name] = value;
    } else if (
      result[name] === undefined &&
      schemaKind(unwrapNullable(property).schema, context.resolve) === 'array'
    )
      result[name] = []; // absent repeats are an empty list, not a missing field
  }
  return result;
}

/** Adds `value` under `name`: the first occurrence as is, repeats as an array. */
export function addRepeat(result: Record<string, unknown>, name: string, value: unknown): void {
  const existing = result[name];
  if (existing === undefined) result[name] = value;
  else if (Array.isArray(existing)) existing.push(value);
  else result[name] = [existing, value];
}

/** Content no schema describes (xsd:any, anyType): text, or an object of attributes and children. */
export function readPlain(element: Element): unknown {
  const children = childElements(element);
  const attributes = plainAttributes(element);
  if (isNil(element)) return null;
  if (children.length === 0 && attributes.length === 0) return element.textContent ?? '';
  const result: Record<string, unknown> = {};
  for (const attribute of attributes)
    result[attribute.localName ?? attribute.name] = attribute.value;
  for (const childElement of children)
    addRepeat(result, childElement.localName ?? '', readPlain(childElement));
  if (children.length === 0) result['value'] = element.textContent ?? '';
  return result;
}
