import type { Element } from '@xmldom/xmldom';
import { collectAttributes, collectContent, emptyParts, objectSchema } from './content-model.ts';
import type { SchemaContext } from './schema-context.ts';
import type { SchemaIndex } from './schema-index.ts';
import { simpleTypeSchema } from './simple-types.ts';
import { builtinSchema, type Direction, type JsonSchema } from './xsd-builtins.ts';
import {
  attribute,
  childElements,
  firstChild,
  NS,
  qnameKey,
  resolveQName,
  withDocumentation,
  xsdDocumentation,
  type QName,
} from './xml.ts';

export type { Direction, JsonSchema } from './xsd-builtins.ts';

export const REF_PREFIX = '#/components/schemas/';

/** Component names in use in one document, shared by the builders of both directions. */
export class ComponentNames {
  readonly #used = new Set<string>();

  /** `base`, or `base_2`, `base_3` … when taken. */
  claim(base: string): string {
    let candidate = base;
    for (let n = 2; this.#used.has(candidate); n++) candidate = `${base}_${n}`;
    this.#used.add(candidate);
    return candidate;
  }
}

export interface BuilderOptions {
  /** Namespaces component names when several services share one document. @default '' */
  prefix?: string;
  /** @default 'output' */
  direction?: Direction;
  /** Shared with the other direction's builder, so that no two components share a name. */
  names?: ComponentNames;
}

/**
 * Converts XML Schema to JSON Schema components. Every named type becomes one component, so
 * recursive types end up as `$ref` cycles instead of infinite schemas. Content models
 * (compositors, attributes) are mapped by content-model.ts, simple types by simple-types.ts;
 * this class owns the components and the complex-type derivations.
 */
export class JsonSchemaBuilder implements SchemaContext {
  readonly components: Record<string, JsonSchema> = {};
  readonly index: SchemaIndex;
  readonly direction: Direction;
  /** `{ns}name` of each named type → its component's name. */
  readonly componentNames = new Map<string, string>();
  readonly #names: ComponentNames;
  readonly #prefix: string;
  #repeatGroups = 0;

  constructor(
    index: SchemaIndex,
    { prefix = '', direction = 'output', names = new ComponentNames() }: BuilderOptions = {},
  ) {
    this.index = index;
    this.direction = direction;
    this.#prefix = prefix;
    this.#names = names;
  }

  nextRepeatGroup(): number {
    return ++this.#repeatGroups;
  }

  typedValue(lexical: string, schema: JsonSchema): unknown {
    let current = schema;
    for (let hops = 0; hops < 32; hops++) {
      const ref = current['$ref'];
      const [first] = (current['allOf'] ?? []) as JsonSchema[];
      if (typeof ref === 'string') current = this.components[ref.slice(REF_PREFIX.length)] ?? {};
      else if (current['type'] === undefined && first) current = first;
      else break;
    }
    const type = current['type'];
    if (type === 'integer' || type === 'number') {
      const number = Number(lexical);
      return Number.isNaN(number) ? lexical : number;
    }
    if (type === 'boolean') return lexical === 'true' || lexical === '1';
    return lexical;
  }

  typeRef(name: QName, referencedFrom: string): JsonSchema {
    const builtin = builtinSchema(name.ns, name.name, this.direction);
    if (builtin) return builtin;
    if (name.ns === NS.soapEnc && name.name === 'Array')
      return { type: 'array', items: {}, xml: { wrapped: true } };
    const ref = this.#componentRef(name, referencedFrom);
    // An extended type's component stays open for its extensions; every other use closes it.
    return this.#isExtendedComplexType(name) ? { ...ref, unevaluatedProperties: false } : ref;
  }

  /** Schema of a global element's content: what its JSON value looks like. */
  elementContent(name: QName, referencedFrom: string): JsonSchema {
    const element = this.index.require('element', name, referencedFrom);
    return this.elementSchema(element);
  }

  elementSchema(element: Element): JsonSchema {
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

  simpleType(element: Element): JsonSchema {
    return simpleTypeSchema(element, this);
  }

  /** `closed`: rejects undeclared properties itself (false for a type that others extend). */
  complexType(element: Element, { closed = true }: { closed?: boolean } = {}): JsonSchema {
    const complexContent = firstChild(element, NS.xsd, 'complexContent');
    if (complexContent) return this.#complexContent(complexContent, closed);
    const simpleContent = firstChild(element, NS.xsd, 'simpleContent');
    if (simpleContent) return this.#simpleContent(simpleContent, closed);
    return objectSchema(collectContent(element, this), { closed });
  }

  /** `$ref` to a named type's component, built on first use. */
  #componentRef(name: QName, referencedFrom: string): JsonSchema {
    const key = qnameKey(name);
    let componentName = this.componentNames.get(key);
    if (componentName === undefined) {
      componentName = this.#uniqueName(name.name);
      this.componentNames.set(key, componentName);
      this.components[componentName] = {}; // placeholder: a recursive reference finds the name
      const complex = this.index.get('complexType', name);
      let built = complex
        ? withDocumentation(
            this.complexType(complex, { closed: !this.#isExtendedComplexType(name) }),
            xsdDocumentation(complex),
          )
        : this.simpleType(this.index.require('simpleType', name, referencedFrom));
      const xml = built['xml'] as Record<string, unknown> | undefined;
      // A SOAP-ENC array type names itself in xsi:type (a base type's name would not validate).
      if (xml?.['wrapped'] === true)
        built = { ...built, xml: { ...xml, 'x-array-type': qnameKey(name) } };
      this.components[componentName] = built;
    }
    return { $ref: `${REF_PREFIX}${componentName}` };
  }

  #isExtendedComplexType(name: QName): boolean {
    return this.index.get('complexType', name) !== undefined && this.index.isExtended(name);
  }

  /** Input components that differ from their output twin keep the suffix (see openapi/directions.ts). */
  #uniqueName(local: string): string {
    const suffix = this.direction === 'input' ? 'Input' : '';
    return this.#names.claim(
      `${this.#prefix}${local.replace(/[^A-Za-z0-9._-]/g, '_') || 'Type'}${suffix}`,
    );
  }

  /**
   * complexContent. An extension is `allOf` its base (referenced open) and its own part; the
   * whole is closed with `unevaluatedProperties`, which sees the properties of both.
   */
  #complexContent(content: Element, closed: boolean): JsonSchema {
    const derivation =
      firstChild(content, NS.xsd, 'extension') ?? firstChild(content, NS.xsd, 'restriction');
    if (!derivation) return { type: 'object' };
    const base = resolveQName(derivation, attribute(derivation, 'base') ?? '');
    if (derivation.localName === 'restriction' && base.ns === NS.soapEnc && base.name === 'Array')
      return this.#soapEncodedArray(derivation);
    const own = collectContent(derivation, this);
    if (derivation.localName === 'restriction') return objectSchema(own, { closed });
    const addsNothing = own.properties.length === 0 && own.constraints.length === 0 && !own.open;
    const builtin = builtinSchema(base.ns, base.name);
    if (builtin)
      // Extending xsd:anyType and friends: the base allows anything, so the type stays open.
      return addsNothing ? builtin : { allOf: [builtin, objectSchema(own, { closed: false })] };
    const baseRef = this.#componentRef(base, 'complexContent extension');
    const extension = addsNothing
      ? baseRef
      : { allOf: [baseRef, objectSchema(own, { closed: false })] };
    // An open part (xsd:any) evaluates every property: closing the whole would change nothing.
    return closed && !own.open ? { ...extension, unevaluatedProperties: false } : extension;
  }

  /** SOAP-ENC array: items typed by `wsdl:arrayType="tns:Foo[]"` or by the restriction's element. */
  #soapEncodedArray(restriction: Element): JsonSchema {
    for (const attr of childElements(restriction, NS.xsd, 'attribute')) {
      const arrayType = attr.getAttributeNS(NS.wsdl, 'arrayType');
      if (!arrayType) continue;
      const dimensions = arrayType.match(/\[[^\]]*\]/g)?.length ?? 1;
      const itemType = resolveQName(attr, arrayType.replace(/\[.*$/, ''));
      let schema = this.typeRef(itemType, 'wsdl:arrayType');
      // wrapped: one element holding the items. The item type goes into xsi:type and SOAP-ENC:arrayType.
      for (let d = 0; d < dimensions; d++)
        schema = {
          type: 'array',
          items: schema,
          xml: { wrapped: true, ...(d === 0 ? { 'x-item-type': qnameKey(itemType) } : {}) },
        };
      return schema;
    }
    const item = collectContent(restriction, this).properties[0];
    return {
      type: 'array',
      items: item ? (item.schema['type'] === 'array' ? item.schema['items'] : item.schema) : {},
      xml: { wrapped: true },
    };
  }

  /** simpleContent: the text becomes `value`, attributes sit beside it. */
  #simpleContent(content: Element, closed: boolean): JsonSchema {
    const derivation =
      firstChild(content, NS.xsd, 'extension') ?? firstChild(content, NS.xsd, 'restriction');
    if (!derivation) return { type: 'object', properties: { value: { type: 'string' } } };
    const base = resolveQName(derivation, attribute(derivation, 'base') ?? '');
    const parts = emptyParts();
    collectAttributes(derivation, parts, this);
    const baseSchema = this.typeRef(base, 'simpleContent');
    parts.properties.unshift({
      name: 'value',
      schema: { ...baseSchema, 'x-xml-text': true },
      required: false,
    });
    return objectSchema(parts, { closed });
  }
}
