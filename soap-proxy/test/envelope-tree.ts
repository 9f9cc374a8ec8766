// Reads a SOAP envelope as the supplier's parser sees it: elements by namespace and local name
// (prefixes are the sender's choice and mean nothing), attributes other than xmlns declarations,
// and text. Tests compare it whole, so that an element in the wrong namespace, an extra or a
// missing element, or a value sent differently fails.
import { DOMParser, type Element } from '@xmldom/xmldom';

export interface XmlTree {
  /** `{namespace}localName`; `{}localName` when unqualified. */
  element: string;
  attributes?: Record<string, string>;
  text?: string;
  children?: XmlTree[];
}

const ELEMENT_NODE = 1;
const XMLNS = 'http://www.w3.org/2000/xmlns/';

function treeOf(element: Element): XmlTree {
  const tree: XmlTree = { element: `{${element.namespaceURI ?? ''}}${element.localName ?? ''}` };
  const attributes: Record<string, string> = {};
  for (let index = 0; index < element.attributes.length; index++) {
    const attribute = element.attributes.item(index);
    if (!attribute || attribute.namespaceURI === XMLNS) continue;
    const name = attribute.namespaceURI
      ? `{${attribute.namespaceURI}}${attribute.localName ?? ''}`
      : attribute.name;
    attributes[name] = attribute.value;
  }
  if (Object.keys(attributes).length > 0) tree.attributes = attributes;
  const children: XmlTree[] = [];
  let text = '';
  for (let node = element.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === ELEMENT_NODE) children.push(treeOf(node as Element));
    else text += node.nodeValue ?? '';
  }
  if (children.length > 0) tree.children = children;
  else if (text !== '') tree.text = text;
  return tree;
}

/** The envelope's namespace (SOAP 1.1 or 1.2), its Header's entries and its Body's content. */
export function envelopeTree(xml: string): {
  envelope: string;
  header?: XmlTree[];
  body: XmlTree[];
} {
  const root = new DOMParser().parseFromString(xml, 'text/xml').documentElement;
  if (!root) throw new Error(`not XML: ${xml}`);
  const envelope = treeOf(root);
  const part = (local: string) =>
    envelope.children?.find((child) => child.element.endsWith(`}${local}`))?.children;
  const header = part('Header');
  return {
    envelope: envelope.element,
    ...(header ? { header } : {}),
    body: part('Body') ?? [],
  };
}
