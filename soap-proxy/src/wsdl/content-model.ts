import type { Element } from '@xmldom/xmldom';
import { choiceConstraint, withoutFloor } from './choice-constraint.ts';
import type { SchemaContext } from './schema-context.ts';
import type { JsonSchema } from './xsd-builtins.ts';
import {
  attribute,
  childElements,
  elementNamespaceOf,
  firstChild,
  NS,
  resolveQName,
} from './xml.ts';

/** A property of an object schema, with whether it must be present. */
export interface Property {
  name: string;
  schema: JsonSchema;
  required: boolean;
}

/** What a content model (particles and attributes) contributes to an object schema. */
export interface ObjectParts {
  properties: Property[];
  /** What xsd:choice adds beyond the properties: `oneOf` (exactly / at most one) or `anyOf` (at least one). */
  constraints: JsonSchema[];
  /** xsd:any or anyAttribute: properties the XSD does not name are allowed. */
  open: boolean;
}

export const emptyParts = (): ObjectParts => ({ properties: [], constraints: [], open: false });

/** `maxOccurs` as a number (Infinity for unbounded). */
function maxOccursOf(element: Element): number {
  const value = attribute(element, 'maxOccurs');
  if (value === undefined) return 1;
  return value === 'unbounded' ? Infinity : Number(value);
}
const minOccursOf = (element: Element): number => Number(attribute(element, 'minOccurs') ?? '1');

/** Allows `null` besides what `schema` allows (OpenAPI 3.1 / JSON Schema 2020-12). */
export function nullable(schema: JsonSchema): JsonSchema {
  if (typeof schema['type'] === 'string' && schema['$ref'] === undefined)
    return { ...schema, type: [schema['type'], 'null'] };
  return { anyOf: [schema, { type: 'null' }] };
}

/** Properties of a content model: particles, attributes, groups. */
export function collectContent(container: Element, context: SchemaContext): ObjectParts {
  const parts = emptyParts();
  for (const child of childElements(container, NS.xsd)) {
    switch (child.localName ?? '') {
      case 'sequence':
      case 'all':
      case 'choice':
      case 'group':
        particle(child, parts, { required: true, repeats: 1 }, context);
        break;
      default:
        break;
    }
  }
  collectAttributes(container, parts, context);
  return parts;
}

/**
 * Where a particle sits: whether its enclosing compositors make it required, and how often they
 * may repeat it (an element in `<sequence maxOccurs="unbounded">` occurs any number of times).
 */
export interface Occurrence {
  required: boolean;
  repeats: number;
}

function particle(
  element: Element,
  parts: ObjectParts,
  outer: Occurrence,
  context: SchemaContext,
): void {
  const max = maxOccursOf(element);
  if (max === 0) return; // prohibited: never occurs
  const inner: Occurrence = {
    required: outer.required && minOccursOf(element) > 0,
    repeats: outer.repeats * max,
  };
  switch (element.localName ?? '') {
    case 'element':
      parts.properties.push(elementProperty(element, outer, context));
      return;
    case 'any':
      parts.open = true;
      return;
    case 'group': {
      const ref = attribute(element, 'ref');
      const group =
        ref === undefined
          ? element
          : context.index.require('group', resolveQName(element, ref), 'group ref');
      for (const child of childElements(group, NS.xsd)) particle(child, parts, inner, context);
      return;
    }
    case 'sequence':
    case 'all':
      for (const child of childElements(element, NS.xsd)) particle(child, parts, inner, context);
      return;
    case 'choice':
      choice(element, parts, inner, context);
      return;
    default:
      return; // annotation
  }
}

/** An xsd:choice: every branch's properties become optional; choice-constraint.ts counts the branches. */
function choice(
  element: Element,
  parts: ObjectParts,
  occurrence: Occurrence,
  context: SchemaContext,
): void {
  const branches: Property[][] = [];
  for (const child of childElements(element, NS.xsd)) {
    if (child.localName === 'annotation') continue;
    const branch = emptyParts();
    // Inside a branch "required" means "required once this branch is taken".
    particle(child, branch, { required: true, repeats: occurrence.repeats }, context);
    parts.open ||= branch.open;
    branches.push(branch.properties);
    parts.properties.push(...branch.properties.map(withoutFloor));
  }
  const constraint = choiceConstraint(branches, occurrence);
  if (constraint) parts.constraints.push(constraint);
}

function elementProperty(element: Element, outer: Occurrence, context: SchemaContext): Property {
  const ref = attribute(element, 'ref');
  const declaration =
    ref === undefined
      ? element
      : context.index.require('element', resolveQName(element, ref), 'element ref');
  const name = attribute(declaration, 'name') ?? (ref ?? '').replace(/^.*:/, '');
  let schema = context.elementSchema(declaration);
  if (attribute(declaration, 'nillable') === 'true' || attribute(element, 'nillable') === 'true')
    schema = nullable(schema);
  const max = maxOccursOf(element) * outer.repeats;
  const min = minOccursOf(element);
  const required = outer.required && min > 0;
  if (max > 1) {
    schema = {
      type: 'array',
      items: schema,
      // Only a required array has a floor: an absent optional one is normalised to [].
      ...(required ? { minItems: min } : {}),
      ...(Number.isFinite(max) ? { maxItems: max } : {}),
    };
  }
  // OpenAPI's XML object: the element's namespace, for the envelope (mapping/to-soap.ts).
  const namespace = elementNamespaceOf(declaration);
  if (namespace !== '') schema = { ...schema, xml: { namespace } };
  return { name, schema, required };
}

/** Attributes (and attribute groups) as properties marked `xml.attribute`; anyAttribute opens the type. */
export function collectAttributes(
  container: Element,
  parts: ObjectParts,
  context: SchemaContext,
): void {
  for (const child of childElements(container, NS.xsd)) {
    if (child.localName === 'attributeGroup') {
      const ref = attribute(child, 'ref');
      if (ref !== undefined)
        collectAttributes(
          context.index.require('attributeGroup', resolveQName(child, ref), 'attributeGroup ref'),
          parts,
          context,
        );
    } else if (child.localName === 'anyAttribute') {
      parts.open = true;
    } else if (child.localName === 'attribute') {
      const ref = attribute(child, 'ref');
      const declaration =
        ref === undefined ? child : context.index.get('attribute', resolveQName(child, ref));
      const name = declaration ? attribute(declaration, 'name') : undefined;
      if (!declaration || name === undefined || attribute(child, 'use') === 'prohibited') continue;
      const typeName = attribute(declaration, 'type');
      const inline = firstChild(declaration, NS.xsd, 'simpleType');
      const schema =
        typeName !== undefined
          ? context.typeRef(resolveQName(declaration, typeName), `attribute ${name}`)
          : inline
            ? context.simpleType(inline)
            : { type: 'string' };
      // OpenAPI's own marker: lets the request mapper send this property as an XML attribute.
      parts.properties.push({
        name,
        schema: { ...schema, xml: { attribute: true } },
        required: attribute(child, 'use') === 'required',
      });
    }
  }
}

/**
 * The object schema of collected parts: properties, required names, choice constraints. Closed to
 * properties the XSD does not declare, unless it is open (xsd:any, anyAttribute) or `closed` is
 * false (the added part of an extension, closed by the extension as a whole).
 */
export function objectSchema(
  { properties, constraints, open }: ObjectParts,
  { closed = true }: { closed?: boolean } = {},
): JsonSchema {
  const schema: JsonSchema = {
    type: 'object',
    properties: Object.fromEntries(properties.map((p) => [p.name, p.schema])),
  };
  const required = [...new Set(properties.filter((p) => p.required).map((p) => p.name))];
  if (required.length > 0) schema['required'] = required;
  if (open) schema['additionalProperties'] = true;
  else if (closed) schema['additionalProperties'] = false;
  const [single] = constraints;
  if (single && constraints.length === 1) Object.assign(schema, single);
  else if (constraints.length > 1) schema['allOf'] = constraints;
  return schema;
}
