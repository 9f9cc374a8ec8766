import { NS } from '../wsdl/xml.ts';

export const ENVELOPE_NS = {
  '1.1': 'http://schemas.xmlsoap.org/soap/envelope/',
  '1.2': 'http://www.w3.org/2003/05/soap-envelope',
} as const;

/**
 * The prefixes of one envelope: `soap` (the envelope's namespace, which WS-Security's header also
 * uses), `xsi`, `xsd`, `soapenc`, then `ns1`, `ns2` … in order of first use. All are declared on
 * the Envelope; no default namespace is ever declared, so an unprefixed element is in none.
 */
export class NamespacePrefixes {
  readonly #prefixes = new Map<string, string>();
  readonly #used = new Set<string>();
  #next = 1;

  constructor(envelopeNamespace: string) {
    this.#prefixes.set(envelopeNamespace, 'soap');
    this.#prefixes.set(NS.xsi, 'xsi');
    this.#prefixes.set(NS.xsd, 'xsd');
    this.#prefixes.set(NS.soapEnc, 'soapenc');
    this.#used.add(envelopeNamespace);
  }

  /** The prefix of `namespace` (declared on the Envelope). */
  prefix(namespace: string): string {
    let prefix = this.#prefixes.get(namespace);
    if (prefix === undefined) {
      prefix = `ns${this.#next++}`;
      this.#prefixes.set(namespace, prefix);
    }
    this.#used.add(namespace);
    return prefix;
  }

  /** `ns:name` for an element or attribute in `namespace`; `name` in none. */
  qualified(namespace: string, name: string): string {
    return namespace === '' ? name : `${this.prefix(namespace)}:${name}`;
  }

  /** ` xmlns:p="…"` for every namespace used. */
  declarations(): string {
    return [...this.#used]
      .map(
        (namespace) =>
          ` xmlns:${this.#prefixes.get(namespace) ?? ''}="${escapeAttribute(namespace)}"`,
      )
      .join('');
  }
}

export const escapeText = (text: string) =>
  text.replace(/[&<>\r]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#13;',
  );

export const escapeAttribute = (text: string) =>
  text.replace(/[&<"\t\n\r]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '"' ? '&quot;' : `&#${c.charCodeAt(0)};`,
  );
