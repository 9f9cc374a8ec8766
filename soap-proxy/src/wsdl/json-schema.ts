import type { Element } from '@xmldom/xmldom';
import type { SchemaIndex } from './schema-index.ts';
import { builtinSchema, isNumericSchema, type JsonSchema } from './xsd-builtins.ts';
import { xsdPatternToEcma } from './xsd-pattern.ts';
import {
  attribute,
  childElements,
  firstChild,
  NS,
  qnameKey,
  resolveQName,
  type QName,
} from './xml.ts';

export type { JsonSchema } from './xsd-builtins.ts';

/** A property of an object schema, with how often it may occur. */
interface Property {
  name: string;
  schema: JsonSchema;
  required: boolean;
}

interface ObjectParts {
  properties: Property[];
  /** Alternatives of an xsd:choice: each the property names that must then be present. */
  choices: string[][][];
  open: boolean;
}

const REF_PREFIX = '#/components/schemas/';
const BOUND_KEYWORDS: Record<string, string> = {
  minInclusive: 'minimum',
  maxInclusive: 'maximum',
  minExclusive: 'exclusiveMinimum',
  maxExclusive: 'exclusiveMaximum',
};
const emptyParts = (): ObjectParts => ({ properties: [], choices: [], open: false });

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

/**
 * Converts XML Schema to JSON Schema components. Every named type becomes one component, so
 * recursive types end up as `$ref` cycles instead of infinite schemas.
 */
export class JsonSchemaBuilder {
  readonly components: Record<string, JsonSchema> = {};
  readonly #index: SchemaIndex;
  readonly #componentNames = new Map<string, string>();
  readonly #usedNames = new Set<string>();

  readonly #prefix: string;

  /** `prefix` namespaces component names when several services share one document. */
  constructor(index: SchemaIndex, { prefix = '' }: { prefix?: string } = {}) {
    this.#index = index;
    this.#prefix = prefix;
  }

  /** Schema of a named type (built-in inline, otherwise a `$ref` to its component). */
  typeRef(name: QName, referencedFrom: string): JsonSchema {
    const builtin = builtinSchema(name.ns, name.name);
    if (builtin) return builtin;
    if (name.ns === NS.soapEnc && name.name === 'Array') return { type: 'array', items: {} };
    const key = qnameKey(name);
    let componentName = this.#componentNames.get(key);
    if (componentName === undefined) {
      componentName = this.#uniqueName(name.name);
      this.#componentNames.set(key, componentName);
      this.components[componentName] = {}; // placeholder: a recursive reference finds the name
      const complex = this.#index.get('complexType', name);
      this.components[componentName] = complex
        ? this.complexType(complex)
        : this.simpleType(this.#index.require('simpleType', name, referencedFrom));
    }
    return { $ref: `${REF_PREFIX}${componentName}` };
  }

  /** Schema of a global element's content: what its JSON value looks like. */
  elementContent(name: QName, referencedFrom: string): JsonSchema {
    const element = this.#index.require('element', name, referencedFrom);
    return this.#elementSchema(element);
  }

  #uniqueName(local: string): string {
    const base = `${this.#prefix}${local.replace(/[^A-Za-z0-9._-]/g, '_') || 'Type'}`;
    let candidate = base;
    for (let n = 2; this.#usedNames.has(candidate); n++) candidate = `${base}_${n}`;
    this.#usedNames.add(candidate);
    return candidate;
  }

  /** An element declaration's value schema (type attribute, inline type, or anything). */
  #elementSchema(element: Element): JsonSchema {
    const typeName = attribute(element, 'type');
    if (typeName !== undefined)
      return this.typeRef(
        resolveQName(element, typeName),
        `element ${attribute(element, 'name') ?? ''}`,
      );
    const inlineComplex = firstChild(element, NS.xsd, 'complexType');
    if (inlineComplex) return this.complexType(inlineComplex);
    const inlineSimple = firstChild(element, NS.xsd, 'simpleType');
    if (inlineSimple) return this.simpleType(inlineSimple);
    return {};
  }

  complexType(element: Element): JsonSchema {
    const complexContent = firstChild(element, NS.xsd, 'complexContent');
    if (complexContent) return this.#complexContent(complexContent);
    const simpleContent = firstChild(element, NS.xsd, 'simpleContent');
    if (simpleContent) return this.#simpleContent(simpleContent);
    return this.#object(this.#collect(element));
  }

  #complexContent(content: Element): JsonSchema {
    const derivation =
      firstChild(content, NS.xsd, 'extension') ?? firstChild(content, NS.xsd, 'restriction');
    if (!derivation) return { type: 'object' };
    const base = resolveQName(derivation, attribute(derivation, 'base') ?? '');
    if (derivation.localName === 'restriction' && base.ns === NS.soapEnc && base.name === 'Array')
      return this.#soapEncodedArray(derivation);
    const own = this.#collect(derivation);
    if (derivation.localName === 'restriction') return this.#object(own);
    const baseSchema = this.typeRef(base, 'complexContent extension');
    return own.properties.length === 0 && own.choices.length === 0
      ? baseSchema
      : { allOf: [baseSchema, this.#object(own)] };
  }

  /** SOAP-ENC array: items typed by `wsdl:arrayType="tns:Foo[]"` or by the restriction's element. */
  #soapEncodedArray(restriction: Element): JsonSchema {
    for (const attr of childElements(restriction, NS.xsd, 'attribute')) {
      const arrayType = attr.getAttributeNS(NS.wsdl, 'arrayType');
      if (!arrayType) continue;
      const dimensions = arrayType.match(/\[[^\]]*\]/g)?.length ?? 1;
      let schema = this.typeRef(
        resolveQName(attr, arrayType.replace(/\[.*$/, '')),
        'wsdl:arrayType',
      );
      for (let d = 0; d < dimensions; d++) schema = { type: 'array', items: schema };
      return schema;
    }
    const item = this.#collect(restriction).properties[0];
    return {
      type: 'array',
      items: item ? (item.schema['type'] === 'array' ? item.schema['items'] : item.schema) : {},
    };
  }

  /** simpleContent: the text becomes `value`, attributes sit beside it. */
  #simpleContent(content: Element): JsonSchema {
    const derivation =
      firstChild(content, NS.xsd, 'extension') ?? firstChild(content, NS.xsd, 'restriction');
    if (!derivation) return { type: 'object', properties: { value: { type: 'string' } } };
    const base = resolveQName(derivation, attribute(derivation, 'base') ?? '');
    const parts = emptyParts();
    this.#attributes(derivation, parts);
    const baseSchema = this.typeRef(base, 'simpleContent');
    parts.properties.unshift({
      name: 'value',
      schema: { ...baseSchema, 'x-xml-text': true },
      required: false,
    });
    return this.#object(parts);
  }

  /** Properties of a content model: particles, attributes, groups. */
  #collect(container: Element): ObjectParts {
    const parts = emptyParts();
    for (const child of childElements(container, NS.xsd)) {
      switch (child.localName ?? '') {
        case 'sequence':
        case 'all':
        case 'choice':
        case 'group':
          this.#particle(child, parts, true);
          break;
        default:
          break;
      }
    }
    this.#attributes(container, parts);
    return parts;
  }

  #particle(particle: Element, parts: ObjectParts, required: boolean): void {
    const optional = !required || minOccursOf(particle) === 0;
    switch (particle.localName ?? '') {
      case 'element':
        parts.properties.push(this.#elementProperty(particle, !optional));
        return;
      case 'any':
        parts.open = true;
        return;
      case 'group': {
        const ref = attribute(particle, 'ref');
        const group =
          ref === undefined
            ? particle
            : this.#index.require('group', resolveQName(particle, ref), 'group ref');
        for (const inner of childElements(group, NS.xsd)) this.#particle(inner, parts, !optional);
        return;
      }
      case 'sequence':
      case 'all':
        for (const inner of childElements(particle, NS.xsd))
          this.#particle(inner, parts, !optional && maxOccursOf(particle) === 1);
        return;
      case 'choice': {
        const alternatives: string[][] = [];
        for (const inner of childElements(particle, NS.xsd)) {
          const branch = emptyParts();
          this.#particle(inner, branch, true);
          parts.properties.push(
            ...branch.properties.map((property) => ({ ...property, required: false })),
          );
          parts.open ||= branch.open;
          alternatives.push(
            branch.properties
              .filter((property) => property.required)
              .map((property) => property.name),
          );
        }
        // Exactly one branch, when the choice is required and every branch demands something.
        if (!optional && alternatives.length > 1 && alternatives.every((names) => names.length > 0))
          parts.choices.push(alternatives);
        return;
      }
      default:
        return; // annotation
    }
  }

  #elementProperty(element: Element, required: boolean): Property {
    const ref = attribute(element, 'ref');
    const declaration =
      ref === undefined
        ? element
        : this.#index.require('element', resolveQName(element, ref), 'element ref');
    const name = attribute(declaration, 'name') ?? (ref ?? '').replace(/^.*:/, '');
    let schema = this.#elementSchema(declaration);
    if (attribute(declaration, 'nillable') === 'true' || attribute(element, 'nillable') === 'true')
      schema = nullable(schema);
    const max = maxOccursOf(element);
    const min = minOccursOf(element);
    if (max > 1) {
      schema = {
        type: 'array',
        items: schema,
        ...(min > 0 ? { minItems: min } : {}),
        ...(Number.isFinite(max) ? { maxItems: max } : {}),
      };
    }
    return { name, schema, required: required && min > 0 };
  }

  #attributes(container: Element, parts: ObjectParts): void {
    for (const child of childElements(container, NS.xsd)) {
      if (child.localName === 'attributeGroup') {
        const ref = attribute(child, 'ref');
        if (ref !== undefined)
          this.#attributes(
            this.#index.require('attributeGroup', resolveQName(child, ref), 'attributeGroup ref'),
            parts,
          );
      } else if (child.localName === 'anyAttribute') {
        parts.open = true;
      } else if (child.localName === 'attribute') {
        const ref = attribute(child, 'ref');
        const declaration =
          ref === undefined ? child : this.#index.get('attribute', resolveQName(child, ref));
        const name = declaration ? attribute(declaration, 'name') : undefined;
        if (!declaration || name === undefined || attribute(child, 'use') === 'prohibited')
          continue;
        const typeName = attribute(declaration, 'type');
        const inline = firstChild(declaration, NS.xsd, 'simpleType');
        const schema =
          typeName !== undefined
            ? this.typeRef(resolveQName(declaration, typeName), `attribute ${name}`)
            : inline
              ? this.simpleType(inline)
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

  #object({ properties, choices, open }: ObjectParts): JsonSchema {
    const schema: JsonSchema = {
      type: 'object',
      properties: Object.fromEntries(properties.map((p) => [p.name, p.schema])),
    };
    const required = [...new Set(properties.filter((p) => p.required).map((p) => p.name))];
    if (required.length > 0) schema['required'] = required;
    if (open) schema['additionalProperties'] = true;
    const exactlyOne = choices.map((alternatives) => ({
      oneOf: alternatives.map((names) => ({ required: names })),
    }));
    const [single] = exactlyOne;
    if (single && exactlyOne.length === 1) Object.assign(schema, single);
    else if (exactlyOne.length > 1) schema['allOf'] = exactlyOne;
    return schema;
  }

  simpleType(element: Element): JsonSchema {
    const restriction = firstChild(element, NS.xsd, 'restriction');
    if (restriction) return this.#restriction(restriction);
    const list = firstChild(element, NS.xsd, 'list');
    if (list) return { type: 'string', description: 'XSD list: items separated by spaces' };
    const union = firstChild(element, NS.xsd, 'union');
    if (union) {
      const members = (attribute(union, 'memberTypes') ?? '')
        .split(/\s+/)
        .filter(Boolean)
        .map((member) => this.typeRef(resolveQName(union, member), 'union'));
      members.push(
        ...childElements(union, NS.xsd, 'simpleType').map((inline) => this.simpleType(inline)),
      );
      return members.length === 0 ? {} : { anyOf: members };
    }
    return { type: 'string' };
  }

  #restriction(restriction: Element): JsonSchema {
    const baseAttribute = attribute(restriction, 'base');
    const inlineBase = firstChild(restriction, NS.xsd, 'simpleType');
    const base = baseAttribute !== undefined ? resolveQName(restriction, baseAttribute) : undefined;
    const builtin = base && builtinSchema(base.ns, base.name);
    const baseSchema =
      builtin ??
      (inlineBase
        ? this.simpleType(inlineBase)
        : base
          ? this.typeRef(base, 'restriction')
          : { type: 'string' });
    const numeric = builtin ? isNumericSchema(builtin) : false;
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
    if (Object.keys(facets).length === 0) return baseSchema;
    return builtin ? { ...builtin, ...facets } : { allOf: [baseSchema, facets] };
  }
}
