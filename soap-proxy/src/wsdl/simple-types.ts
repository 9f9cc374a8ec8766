import type { Element } from '@xmldom/xmldom';
import type { SchemaContext } from './schema-context.ts';
import { builtinSchema, isNumericSchema, type JsonSchema } from './xsd-builtins.ts';
import { xsdPatternToEcma } from './xsd-pattern.ts';
import {
  attribute,
  childElements,
  firstChild,
  NS,
  resolveQName,
  withDocumentation,
  xsdDocumentation,
} from './xml.ts';

const BOUND_KEYWORDS: Record<string, string> = {
  minInclusive: 'minimum',
  maxInclusive: 'maximum',
  minExclusive: 'exclusiveMinimum',
  maxExclusive: 'exclusiveMaximum',
};

/** An `xsd:simpleType`: restriction (facets, enums), list, or union; its documentation as `description`. */
export function simpleTypeSchema(element: Element, context: SchemaContext): JsonSchema {
  return withDocumentation(simpleTypeContent(element, context), xsdDocumentation(element));
}

function simpleTypeContent(element: Element, context: SchemaContext): JsonSchema {
  const restriction = firstChild(element, NS.xsd, 'restriction');
  if (restriction) return restrictionSchema(restriction, context);
  const list = firstChild(element, NS.xsd, 'list');
  if (list) return { type: 'string', description: 'XSD list: items separated by spaces' };
  const union = firstChild(element, NS.xsd, 'union');
  if (union) {
    const members = (attribute(union, 'memberTypes') ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map((member) => context.typeRef(resolveQName(union, member), 'union'));
    members.push(
      ...childElements(union, NS.xsd, 'simpleType').map((inline) => context.simpleType(inline)),
    );
    return members.length === 0 ? {} : { anyOf: members };
  }
  return { type: 'string' };
}

function restrictionSchema(restriction: Element, context: SchemaContext): JsonSchema {
  const baseAttribute = attribute(restriction, 'base');
  const inlineBase = firstChild(restriction, NS.xsd, 'simpleType');
  const base = baseAttribute !== undefined ? resolveQName(restriction, baseAttribute) : undefined;
  const builtin = base && builtinSchema(base.ns, base.name, context.direction);
  const baseSchema =
    builtin ??
    (inlineBase
      ? context.simpleType(inlineBase)
      : base
        ? context.typeRef(base, 'restriction')
        : { type: 'string' });
  const root = builtin ?? builtinAtRootOf(restriction, context);
  const facets = facetsOf(restriction, root ? isNumericSchema(root) : false);
  if (Object.keys(facets).length === 0) return baseSchema;
  if (builtin) return { ...builtin, ...facets };
  // Restricting a user-defined type: its facets and ours both hold; the root's `type` keeps the
  // kind visible to readers and to the mapping (a number stays a number).
  const type = root?.['type'];
  return { ...(typeof type === 'string' ? { type } : {}), allOf: [baseSchema, facets] };
}

/** The built-in type a chain of restrictions ends at (Priority → Level → xsd:int), if any. */
function builtinAtRootOf(restriction: Element, context: SchemaContext): JsonSchema | undefined {
  let current: Element | undefined = restriction;
  // A bounded walk: a (broken) schema may restrict a type by itself.
  for (let depth = 0; current && depth < 32; depth++) {
    const baseAttribute = attribute(current, 'base');
    if (baseAttribute === undefined) {
      const inline = firstChild(current, NS.xsd, 'simpleType');
      current = inline && firstChild(inline, NS.xsd, 'restriction');
      continue;
    }
    const base = resolveQName(current, baseAttribute);
    const builtin = builtinSchema(base.ns, base.name);
    if (builtin) return builtin;
    const named = context.index.get('simpleType', base);
    current = named && firstChild(named, NS.xsd, 'restriction');
  }
  return undefined;
}

/** A restriction's facets as JSON Schema keywords; values and bounds are numbers for numeric bases. */
function facetsOf(restriction: Element, numeric: boolean): JsonSchema {
  const facets: JsonSchema = {};
  const values: unknown[] = [];
  for (const facet of childElements(restriction, NS.xsd)) {
    const value = attribute(facet, 'value') ?? '';
    const number = Number(value);
    const kind = facet.localName ?? '';
    switch (kind) {
      case 'enumeration':
        values.push(numeric ? number : value);
        break;
      case 'pattern': {
        const ecma = xsdPatternToEcma(value);
        if (ecma === undefined)
          facets['description'] = `XSD pattern (enforced by the supplier): ${value}`;
        else facets['pattern'] = ecma;
        break;
      }
      case 'length':
        facets['minLength'] = number;
        facets['maxLength'] = number;
        break;
      case 'minLength':
      case 'maxLength':
        facets[kind] = number;
        break;
      case 'minInclusive':
      case 'maxInclusive':
      case 'minExclusive':
      case 'maxExclusive':
        if (numeric) facets[BOUND_KEYWORDS[kind] ?? kind] = number;
        break;
      default:
        break; // totalDigits, fractionDigits, whiteSpace: not expressible, enforced upstream
    }
  }
  if (values.length > 0) facets['enum'] = values;
  return facets;
}
