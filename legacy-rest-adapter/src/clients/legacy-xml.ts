import { DOMParser, type Element } from '@xmldom/xmldom';
import { UpstreamError } from '@manifold/platform/errors';

/**
 * The one legacy page that answers XML, as a record like the JSON pages: root attributes become
 * fields, child elements with children become arrays under their tag name, leaf elements their text.
 */
export function legacyXmlToRecord(text: string, path: string): Record<string, unknown> {
  const errors: string[] = [];
  const malformed = (cause?: unknown) =>
    new UpstreamError('UPSTREAM_ERROR', 'legacy', `legacy answered ${path} with malformed XML`, {
      transient: false,
      cause,
    });
  let root: Element | null;
  try {
    root = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') errors.push(message);
      },
    }).parseFromString(text, 'text/xml').documentElement;
  } catch (error) {
    // xmldom throws its ParseError on a fatal error (an element never closed, a truncated
    // page): the monolith's fault, a 502 — found by the hostile-upstream suite as a 500.
    throw malformed(error);
  }
  if (!root || errors.length > 0) throw malformed();
  const record: Record<string, unknown> = {};
  for (let i = 0; i < root.attributes.length; i++) {
    const attribute = root.attributes.item(i);
    if (attribute) record[attribute.name] = attribute.value;
  }
  for (let node = root.firstChild; node !== null; node = node.nextSibling) {
    if (node.nodeType !== 1) continue;
    const element = node as Element;
    const fields: Record<string, string> = {};
    for (let leaf = element.firstChild; leaf !== null; leaf = leaf.nextSibling) {
      if (leaf.nodeType === 1) fields[(leaf as Element).tagName] = leaf.textContent ?? '';
    }
    const list = (record[element.tagName] ??= []) as Record<string, string>[];
    list.push(fields);
  }
  return record;
}
