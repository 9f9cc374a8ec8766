import type { Element } from '@xmldom/xmldom';
import {
  attribute,
  childElements,
  descendants,
  NS,
  qnameKey,
  resolveQName,
  type QName,
} from './xml.ts';

export type ComponentKind =
  'element' | 'complexType' | 'simpleType' | 'attribute' | 'group' | 'attributeGroup';

/** Top-level XSD components of every loaded schema, by kind and qualified name. */
export class SchemaIndex {
  readonly #components = new Map<string, Element>();
  readonly #schemas: readonly Element[];
  #extensionBases: Set<string> | undefined;

  constructor(schemas: readonly Element[]) {
    this.#schemas = schemas;
    for (const schema of schemas) {
      const targetNamespace = attribute(schema, 'targetNamespace') ?? '';
      for (const child of childElements(schema, NS.xsd)) {
        const name = attribute(child, 'name');
        if (name === undefined) continue;
        // First definition wins: a schema reachable twice (import + include) is the same schema.
        const key = `${child.localName}:${qnameKey({ ns: targetNamespace, name })}`;
        if (!this.#components.has(key)) this.#components.set(key, child);
      }
    }
  }

  get(kind: ComponentKind, name: QName): Element | undefined {
    return this.#components.get(`${kind}:${qnameKey(name)}`);
  }

  /**
   * Whether some complexContent extension in any loaded schema derives from this type. Such a type
   * cannot close itself to unknown properties: its extensions add properties of their own.
   */
  isExtended(name: QName): boolean {
    this.#extensionBases ??= new Set(
      this.#schemas.flatMap((schema) =>
        [...descendants(schema)]
          .filter(
            (element) =>
              element.namespaceURI === NS.xsd &&
              element.localName === 'extension' &&
              (element.parentNode as Element | null)?.localName === 'complexContent',
          )
          .map((extension) =>
            qnameKey(resolveQName(extension, attribute(extension, 'base') ?? '')),
          ),
      ),
    );
    return this.#extensionBases.has(qnameKey(name));
  }

  /** Like `get`, but a missing definition is an error naming what referenced it. */
  require(kind: ComponentKind, name: QName, referencedFrom: string): Element {
    const found = this.get(kind, name);
    if (!found)
      throw new Error(
        `${referencedFrom} references ${kind} ${qnameKey(name)}, which no loaded schema defines`,
      );
    return found;
  }
}
