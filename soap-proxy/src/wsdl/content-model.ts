import type { Element } from '@xmldom/xmldom';
import { choiceConstraint, withoutFloor } from './choice-constraint.ts';
import type { SchemaContext } from './schema-context.ts';
import type { JsonSchema } from './xsd-builtins.ts';
import {
  attribute,
  attributeNamespaceOf,
  childElements,
  elementNamespaceOf,
  firstChild,
  NS,
  resolveQName,
  withDocumentation,
  xsdDocumentation,
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
        particle(child, parts, { required: true, repeats: 1, group: undefined }, context);
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
  /** The outermost repeating sequence around it, whose elements are sent interleaved. */
  group: number | undefined;
}

function particle(
  element: Element,
  parts: ObjectParts,
  outer: Occurrence,
  context: SchemaContext,
): void {
  const max = maxOccursOf(element);
  if (max === 0) return; // prohibited: never occurs
  const repeatingSequence =
    max > 1 && (element.localName === 'sequence' || element.localName === 'group');
  const inner: Occurrence = {
    required: outer.required && minOccursOf(element) > 0,
    repeats: outer.repeats * max,
    group: outer.group ?? (repeatingSequence ? context.nextRepeatGroup() : undefined),
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
    particle(
      child,
      branch,
      { required: true, repeats: occurrence.repeats, group: occurrence.group },
      context,
    );
    parts.open ||= branch.open;
    // An untaken branch must stay out of the envelope: nothing in a choice is filled in unasked.
    for (const property of branch.properties) {
      const xml = property.schema['xml'] as Record<string, unknown> | undefined;
      if (xml?.['x-send-when-omitted'] !== undefined) {
        const { 'x-send-when-omitted': _filled, ...rest } = xml;
        property.schema = { ...property.schema, xml: rest };
      }
    }
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
  const valueSchema = context.elementSchema(declaration);
  const constraint = valueConstraint(element, declaration, valueSchema, context);
  let schema = withDocumentation(
    { ...valueSchema, ...constraint.keywords },
    xsdDocumentation(element) ?? (ref === undefined ? undefined : xsdDocumentation(declaration)),
  );
  if (attribute(declaration, 'nillable') === 'true' || attribute(element, 'nillable') === 'true')
    schema = nullable(schema);
  const max = maxOccursOf(element) * outer.repeats;
  const min = minOccursOf(element);
  // A value the sender may leave out because we fill it in (fixed, or a default) is optional for clients.
  const filled = context.direction === 'input' && constraint.lexical !== undefined && max === 1;
  const required = outer.required && min > 0 && !filled;
  if (max > 1) {
    schema = {
      type: 'array',
      items: schema,
      // Only a required array has a floor: an absent optional one is normalised to [].
      ...(required ? { minItems: min } : {}),
      ...(Number.isFinite(max) ? { maxItems: max } : {}),
    };
  }
  // OpenAPI's XML object: the element's namespace, for the envelope (mapping/to-xml.ts); the
  // repeating sequence it belongs to; and that an omitted value is sent as its fixed or default one.
  const namespace = elementNamespaceOf(declaration);
  const xml = {
    ...(namespace === '' ? {} : { namespace }),
    ...(outer.group === undefined ? {} : { 'x-repeat-group': outer.group }),
    ...(filled && outer.required && min > 0 ? { 'x-send-when-omitted': true } : {}),
  };
  if (Object.keys(xml).length > 0) schema = { ...schema, xml };
  return { name, schema, required };
}

/**
 * `fixed` → `const` (a wrong value is refused), `default` → `default` (documented), both typed as
 * the element's values. A fixed value on the reference wins over the declaration's.
 */
function valueConstraint(
  use: Element,
  declaration: Element,
  valueSchema: JsonSchema,
  context: SchemaContext,
): { keywords: JsonSchema; lexical: string | undefined } {
  const fixed = attribute(use, 'fixed') ?? attribute(declaration, 'fixed');
  const fallback = attribute(use, 'default') ?? attribute(declaration, 'default');
  if (fixed !== undefined)
    return { keywords: { const: context.typedValue(fixed, valueSchema) }, lexical: fixed };
  if (fallback !== undefined)
    return { keywords: { default: context.typedValue(fallback, valueSchema) }, lexical: fallback };
  return { keywords: {}, lexical: undefined };
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
      const valueSchema =
        typeName !== undefined
          ? context.typeRef(resolveQName(declaration, typeName), `attribute ${name}`)
          : inline
            ? context.simpleType(inline)
            : { type: 'string' };
      const constraint = valueConstraint(child, declaration, valueSchema, context);
      const useRequired = attribute(child, 'use') === 'required';
      const filled =
        context.direction === 'input' && useRequired && constraint.lexical !== undefined;
      // OpenAPI's own marker: lets the request mapper send this property as an XML attribute
      // (in its namespace when it is qualified, as xml:lang or soap:mustUnderstand are).
      const namespace = attributeNamespaceOf(child, declaration);
      parts.properties.push({
        name,
        schema: withDocumentation(
          {
            ...valueSchema,
            ...constraint.keywords,
            xml: {
              attribute: true,
              ...(namespace === '' ? {} : { namespace }),
              ...(filled ? { 'x-send-when-omitted': true } : {}),
            },
          },
          xsdDocumentation(declaration),
        ),
        required: useRequired && !filled,
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
