import { DOMParser, type Element } from '@xmldom/xmldom';
import { childElements } from '../wsdl/xml.ts';
import { ENVELOPE_NS, type NamespacePrefixes } from './namespaces.ts';

export type SoapVersion = keyof typeof ENVELOPE_NS;

/** `<soap:Envelope>` around header entries and Body content, every namespace declared on it. */
export function envelope(
  prefixes: NamespacePrefixes,
  headerEntries: readonly string[],
  body: readonly string[],
): string {
  const header =
    headerEntries.length === 0 ? '' : `<soap:Header>${headerEntries.join('')}</soap:Header>`;
  return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope${prefixes.declarations()}>${header}<soap:Body>${body.join('')}</soap:Body></soap:Envelope>`;
}

/** An answer that is not a SOAP envelope; `what` says what it is instead. */
export class NotAnEnvelopeError extends Error {
  override name = 'NotAnEnvelopeError';
  readonly what: string;
  constructor(what: string) {
    super(`not a SOAP envelope: ${what}`);
    this.what = what;
  }
}

export interface ParsedEnvelope {
  version: SoapVersion;
  headerEntries: Element[];
  /** The Body's element children (a Fault, or the answer). */
  body: Element[];
  /** Multi-reference targets of SOAP encoding (`id` attributes in the Body). */
  byId: (id: string) => Element | undefined;
}

/** Parses an answer; anything that is not well-formed XML with a SOAP 1.1/1.2 Envelope and Body is a NotAnEnvelopeError. */
export function parseEnvelope(text: string): ParsedEnvelope {
  const errors: string[] = [];
  let root: Element | null;
  try {
    root = new DOMParser({
      // No line/column on every node: nothing reads them, and a detail names only the message.
      locator: false,
      onError: (level, message) => {
        if (level !== 'warning') errors.push(message);
      },
    }).parseFromString(text, 'text/xml').documentElement;
  } catch (error) {
    // xmldom throws on fatal errors (text that is no XML at all).
    errors.push((error as Error).message);
    root = null;
  }
  if (errors.length > 0 || !root)
    throw new NotAnEnvelopeError(
      `not well-formed XML (${(errors[0] ?? 'no root element').split('\n')[0] ?? ''})`,
    );
  const version = (Object.keys(ENVELOPE_NS) as SoapVersion[]).find(
    (candidate) => ENVELOPE_NS[candidate] === root.namespaceURI,
  );
  if (!version || root.localName !== 'Envelope')
    throw new NotAnEnvelopeError(`an XML document whose root is <${root.tagName}>`);
  const [header] = childElements(root, ENVELOPE_NS[version], 'Header');
  const [body] = childElements(root, ENVELOPE_NS[version], 'Body');
  if (!body) throw new NotAnEnvelopeError('a SOAP Envelope without a Body');
  let ids: Map<string, Element> | undefined;
  const byId = (id: string) => {
    if (!ids) {
      ids = new Map();
      const walk = (element: Element) => {
        const own = element.getAttribute('id');
        if (own) ids?.set(own, element);
        for (const child of childElements(element)) walk(child);
      };
      walk(body);
    }
    return ids.get(id);
  };
  return {
    version,
    headerEntries: header ? childElements(header) : [],
    body: childElements(body),
    byId,
  };
}
