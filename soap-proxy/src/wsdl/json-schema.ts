import type { Element } from '@xmldom/xmldom';
import { collectAttributes, collectContent, emptyParts, objectSchema } from './content-model.ts';
import type { SchemaContext } from './schema-context.ts';
import type { SchemaIndex } from './schema-index.ts';
import { simpleTypeSchema } from './simple-types.ts';
import { builtinSchema, type JsonSchema } from './xsd-builtins.ts';
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

const REF_PREFIX = '#/components/schemas/';

/**
 * Converts XML Schema to JSON Schema components. Every named type becomes one component, so
 * recursive types end up as `$ref` cycles instead of infinite schemas. Content models
 * (compositors, attributes) are mapped by content-model.ts, simple types by simple-types.ts;
 * this class owns the components and the complex-type derivations.
 */
export class JsonSchemaBuilder implements SchemaContext {
  readonly components: Record<string, JsonSchema> = {};
  readonly index: SchemaIndex;
  readonly #componentNames = new Map<string, string>();
  readonly #usedNames = new Set<string>();
  readonly #prefix: string;

  /** `prefix` namespaces component names when several services share one document. */
  constructor(index: SchemaIndex, { prefix = '' }: { prefix?: string } = {}) {
    this.index = index;
    this.#prefix = prefix;
  }

  typeRef(name: QName, referencedFrom: string): JsonSchema {
    const builtin = builtinSchema(name.ns, name.name);
    if (builtin) return builtin;
    if (name.ns === NS.soapEnc && name.name === 'Array') return { type: 'array', items: {} };
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
    let componentName = this.#componentNames.get(key);
    if (componentName === undefined) {
      componentName = this.#uniqueName(name.name);
      this.#componentNames.set(key, componentName);
      this.components[componentName] = {}; // placeholder: a recursive reference finds the name
      const complex = this.index.get('complexType', name);
      this.components[componentName] = complex
        ? this.complexType(complex, { closed: !this.#isExtendedComplexType(name) })
        : this.simpleType(this.index.require('simpleType', name, referencedFrom));
    }
    return { $ref: `${REF_PREFIX}${componentName}` };
  }

  #isExtendedComplexType(name: QName): boolean {
    return this.index.get('complexType', name) !== undefined && this.index.isExtended(name);
  }

  #uniqueName(local: string): string {
    const base = `${this.#prefix}${local.replace(/[^A-Za-z0-9._-]/g, '_') || 'Type'}`;
    let candidate = base;
    for (let n = 2; this.#usedNames.has(candidate); n++) candidate = `${base}_${n}`;
    this.#usedNames.add(candidate);
    return candidate;
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
      let schema = this.typeRef(
        resolveQName(attr, arrayType.replace(/\[.*$/, '')),
        'wsdl:arrayType',
      );
      for (let d = 0; d < dimensions; d++) schema = { type: 'array', items: schema };
      return schema;
    }
    const item = collectContent(restriction, this).properties[0];
    return {
      type: 'array',
      items: item ? (item.schema['type'] === 'array' ? item.schema['items'] : item.schema) : {},
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
