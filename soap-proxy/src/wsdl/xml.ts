import type { Element, Node } from '@xmldom/xmldom';

export const NS = {
  xsd: 'http://www.w3.org/2001/XMLSchema',
  wsdl: 'http://schemas.xmlsoap.org/wsdl/',
  soap11: 'http://schemas.xmlsoap.org/wsdl/soap/',
  soap12: 'http://schemas.xmlsoap.org/wsdl/soap12/',
  soapEnc: 'http://schemas.xmlsoap.org/soap/encoding/',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
} as const;

/** A namespace-qualified name, `{namespace}local`. */
export interface QName {
  ns: string;
  name: string;
}

export const qnameKey = ({ ns, name }: QName): string => `{${ns}}${name}`;

/** Element children, optionally only those in `ns` named `localName`. */
export function childElements(parent: Element, ns?: string, localName?: string): Element[] {
  const result: Element[] = [];
  for (let node = parent.firstChild; node !== null; node = node.nextSibling) {
    if (node.nodeType !== 1) continue;
    const element = node as Element;
    if (ns !== undefined && element.namespaceURI !== ns) continue;
    if (localName !== undefined && element.localName !== localName) continue;
    result.push(element);
  }
  return result;
}

export function firstChild(parent: Element, ns: string, localName: string): Element | undefined {
  return childElements(parent, ns, localName)[0];
}

/** An attribute's value, or undefined when absent (DOM returns '' or null otherwise). */
export function attribute(element: Element, name: string): string | undefined {
  return element.hasAttribute(name) ? (element.getAttribute(name) ?? undefined) : undefined;
}

/**
 * Resolves a QName-valued attribute (`tns:Foo`) against the namespaces in scope at `element`;
 * an unprefixed name takes the default namespace, as XSD specifies.
 */
export function resolveQName(element: Element, value: string): QName {
  const colon = value.indexOf(':');
  const prefix = colon === -1 ? null : value.slice(0, colon);
  const name = colon === -1 ? value : value.slice(colon + 1);
  const ns = element.lookupNamespaceURI(prefix) ?? '';
  return { ns, name };
}

/** The nearest xsd:schema or wsdl:definitions element around a component. */
function enclosingSchema(element: Element): Element | undefined {
  // The Document itself ends the walk.
  for (
    let node: Node | null = element;
    node !== null && node.nodeType === 1;
    node = node.parentNode
  ) {
    const candidate = node as Element;
    if (candidate.localName === 'schema' || candidate.localName === 'definitions') return candidate;
  }
  return undefined;
}

const targetNamespaceOfSchema = (schema: Element | undefined): string =>
  (schema && attribute(schema, 'targetNamespace')) ?? '';

/** The `targetNamespace` in force for a schema or WSDL component. */
export function targetNamespaceOf(element: Element): string {
  return targetNamespaceOfSchema(enclosingSchema(element));
}

/**
 * The namespace an element declaration puts its element in: a global element's target namespace;
 * a local one's too when it is qualified (its `form`, else the schema's `elementFormDefault`),
 * none (the empty string) when it is not.
 */
export function elementNamespaceOf(declaration: Element): string {
  const schema = enclosingSchema(declaration);
  const global = declaration.parentNode === schema;
  const form =
    attribute(declaration, 'form') ??
    (schema && attribute(schema, 'elementFormDefault')) ??
    'unqualified';
  return global || form === 'qualified' ? targetNamespaceOfSchema(schema) : '';
}

/**
 * The namespace an attribute goes in: a global attribute's (referenced) target namespace; a local
 * one's when it is qualified (`form`, else the schema's `attributeFormDefault`); else none.
 */
export function attributeNamespaceOf(use: Element, declaration: Element): string {
  if (use !== declaration || declaration.parentNode === enclosingSchema(declaration))
    return targetNamespaceOf(declaration);
  const schema = enclosingSchema(declaration);
  const form =
    attribute(declaration, 'form') ??
    (schema && attribute(schema, 'attributeFormDefault')) ??
    'unqualified';
  return form === 'qualified' ? targetNamespaceOfSchema(schema) : '';
}

/** Every descendant element (depth-first, document order). */
export function* descendants(root: Element): Generator<Element> {
  for (const child of childElements(root)) {
    yield child;
    yield* descendants(child);
  }
}

/** The text of an XSD component's `xs:annotation/xs:documentation`, or undefined. */
export function xsdDocumentation(component: Element): string | undefined {
  const text = childElements(component, NS.xsd, 'annotation')
    .flatMap((annotation) => childElements(annotation, NS.xsd, 'documentation'))
    .map((documentation) => (documentation.textContent ?? '').trim().replace(/\s+/g, ' '))
    .filter(Boolean)
    .join('\n\n');
  return text === '' ? undefined : text;
}

/** `description` first, then what the schema already said (a built-in's own note). */
export function withDocumentation<T extends Record<string, unknown>>(
  schema: T,
  documentation: string | undefined,
): T {
  if (documentation === undefined) return schema;
  const own = schema['description'];
  return {
    ...schema,
    description: typeof own === 'string' ? `${documentation}\n\n${own}` : documentation,
  };
}
