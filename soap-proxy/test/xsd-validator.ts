// An independent check of the envelopes soap-proxy sends: xmllint (libxml2, Debian's
// libxml2-utils) validates every Header entry and Body element against the WSDL's own schemas.
// Nothing of soap-proxy's XSD reading is used: the schemas are the WSDL's, extracted into files.
//
// Three things the WSDL's schemas alone do not say, supplied as SOAP 1.1 says them:
// - an rpc operation's wrapper element (the operation's name in the soap:body namespace, one
//   unqualified element per part, in order) is declared here from the WSDL's message;
// - a restriction of SOAP-ENC:Array without content of its own has, by XSD 1.0's letter, empty
//   content; SOAP 1.1 section 5.4.2 means items of its wsdl:arrayType, so that is what it gets;
// - attributes of the envelope's namespace (encodingStyle, mustUnderstand, actor, role) belong to
//   SOAP, not to the entry's schema, and are not validated against it.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DOMParser, XMLSerializer, type Element } from '@xmldom/xmldom';
import { loadWsdlDocuments } from '../src/wsdl/load.ts';
import { describeWsdl } from '../src/wsdl/model.ts';
import { attribute, childElements, descendants, NS } from '../src/wsdl/xml.ts';
import { ENVELOPE_NS } from '../src/xml/namespaces.ts';

const run = promisify(execFile);
const SOAP_ENCODING_XSD = fileURLToPath(
  new URL('../../test/fixtures/wsdl/soap-encoding/soap-encoding-minimal.xsd', import.meta.url),
);
const XSD_HEADER = `<xs:schema xmlns:xs="${NS.xsd}"`;

export interface EnvelopeVerdict {
  /** Which part of which envelope: `#2 Body <ns:GetStockLevel>`. */
  part: string;
  valid: boolean;
  errors: string[];
}

export interface XsdValidator {
  /** Validates every Header entry and Body element of each envelope (one xmllint run for all). */
  validate(envelopes: readonly string[]): Promise<EnvelopeVerdict[]>;
}

/** Fails with a clear message when xmllint is missing: the check is not optional. */
async function requireXmllint(): Promise<void> {
  try {
    await run('xmllint', ['--version']);
  } catch {
    throw new Error('xmllint is required (Debian: apt-get install libxml2-utils)');
  }
}

/** The namespaces in scope at `element`, as declarations to copy onto a detached copy. */
function inScopeDeclarations(element: Element): Map<string, string> {
  const declarations = new Map<string, string>();
  for (
    let node: Element | null = element;
    node?.nodeType === 1;
    node = node.parentNode as Element | null
  ) {
    for (let index = 0; index < node.attributes.length; index++) {
      const item = node.attributes.item(index);
      if (!item || (item.prefix !== 'xmlns' && item.name !== 'xmlns')) continue;
      if (!declarations.has(item.name)) declarations.set(item.name, item.value);
    }
  }
  return declarations;
}

/** `element` alone as a document, with every namespace declaration it relied on. */
function standalone(element: Element, strip: (copy: Element) => void = () => undefined): string {
  const copy = element.cloneNode(true) as Element;
  for (const [name, value] of inScopeDeclarations(element))
    if (!copy.hasAttribute(name)) copy.setAttributeNS('http://www.w3.org/2000/xmlns/', name, value);
  strip(copy);
  return new XMLSerializer().serializeToString(copy);
}

/** SOAP-ENC array restrictions get the items SOAP 1.1 section 5 gives them (see above). */
function itemsForEncodedArrays(schema: Element): void {
  for (const restriction of descendants(schema)) {
    if (restriction.localName !== 'restriction' || restriction.namespaceURI !== NS.xsd) continue;
    const base = attribute(restriction, 'base') ?? '';
    const [prefix, local] = base.includes(':') ? base.split(':') : ['', base];
    if (local !== 'Array' || restriction.lookupNamespaceURI(prefix || null) !== NS.soapEnc)
      continue;
    if (
      childElements(restriction, NS.xsd).some((child) =>
        ['sequence', 'all', 'choice', 'group'].includes(child.localName ?? ''),
      )
    )
      continue;
    const arrayType = childElements(restriction, NS.xsd, 'attribute')
      .map((attr) => attr.getAttributeNS(NS.wsdl, 'arrayType'))
      .find(Boolean);
    const document = restriction.ownerDocument!;
    const sequence = document.createElementNS(NS.xsd, 'xs:sequence');
    const item = document.createElementNS(NS.xsd, 'xs:element');
    item.setAttribute('name', 'item');
    item.setAttribute('form', 'unqualified');
    item.setAttribute('minOccurs', '0');
    item.setAttribute('maxOccurs', 'unbounded');
    item.setAttribute('nillable', 'true');
    if (arrayType && !arrayType.replace(/\[.*$/, '').includes('[')) {
      const type = arrayType.replace(/\[.*$/, '');
      // A multi-dimensional array's items are arrays themselves: left untyped.
      if ((arrayType.match(/\[/g) ?? []).length === 1) item.setAttribute('type', type);
    }
    sequence.appendChild(item);
    restriction.insertBefore(sequence, restriction.firstChild);
  }
}

export async function createXsdValidator(wsdl: string): Promise<XsdValidator> {
  await requireXmllint();
  const documents = await loadWsdlDocuments(wsdl);
  const model = describeWsdl(documents);
  const dir = mkdtempSync(join(tmpdir(), 'xsd-'));
  const byNamespace = new Map<string, string[]>();
  const files: { file: string; schema: Element }[] = documents.schemas.map((schema, index) => {
    const file = `s${index}.xsd`;
    const namespace = attribute(schema, 'targetNamespace') ?? '';
    byNamespace.set(namespace, [...(byNamespace.get(namespace) ?? []), file]);
    return { file, schema };
  });
  if (!byNamespace.has(NS.soapEnc)) byNamespace.set(NS.soapEnc, [SOAP_ENCODING_XSD]);
  // rpc wrappers, by namespace (see above).
  const wrappers = new Map<string, string[]>();
  const partTypes = new Set<string>();
  for (const operation of model.services.flatMap((s) => s.ports.flatMap((p) => p.operations))) {
    if (operation.style !== 'rpc') continue;
    const parts = (operation.input?.parts ?? []).map((part) => {
      if (part.element) {
        partTypes.add(part.element.ns);
        return `<xs:element xmlns:p="${part.element.ns}" ref="p:${part.element.name}"/>`;
      }
      const type = part.type ?? { ns: NS.xsd, name: 'anyType' };
      partTypes.add(type.ns);
      return `<xs:element name="${part.name}" xmlns:p="${type.ns}" type="p:${type.name}" nillable="true"/>`;
    });
    const declaration = `<xs:element name="${operation.name}"><xs:complexType><xs:sequence>${parts.join('')}</xs:sequence><xs:anyAttribute namespace="##other" processContents="skip"/></xs:complexType></xs:element>`;
    const list = wrappers.get(operation.namespace) ?? [];
    if (!list.some((existing) => existing.startsWith(`<xs:element name="${operation.name}">`)))
      list.push(declaration);
    wrappers.set(operation.namespace, list);
  }
  // One hub per namespace: includes that namespace's files and imports every other hub.
  const namespaces = [...new Set([...byNamespace.keys(), ...wrappers.keys(), ...partTypes])].filter(
    (namespace) => namespace !== NS.xsd,
  );
  const hub = (namespace: string) => `ns${namespaces.indexOf(namespace)}.xsd`;
  const imports = (except: string) =>
    namespaces
      .filter((namespace) => namespace !== except)
      .map((namespace) =>
        namespace === ''
          ? `<xs:import schemaLocation="${hub(namespace)}"/>`
          : `<xs:import namespace="${namespace}" schemaLocation="${hub(namespace)}"/>`,
      )
      .join('');
  for (const { file, schema } of files) {
    const text = standalone(schema, (copy) => {
      for (const link of childElements(copy, NS.xsd))
        if (link.localName === 'import' || link.localName === 'include') copy.removeChild(link);
      itemsForEncodedArrays(copy);
    });
    const namespace = attribute(schema, 'targetNamespace') ?? '';
    // Imports go first in a schema document: after its opening tag.
    const importing = imports(namespace).replaceAll('<xs:', `<${schema.prefix ?? 'xs'}:`);
    writeFileSync(join(dir, file), text.replace(/^(<[^>]*[^/]>)/, `$1${importing}`));
  }
  for (const namespace of namespaces) {
    const target = namespace === '' ? '' : ` targetNamespace="${namespace}"`;
    const ownFiles = byNamespace.get(namespace) ?? [];
    const own = wrappers.get(namespace) ?? [];
    const body =
      own.length > 0
        ? `${imports(namespace)}${ownFiles.map((f) => `<xs:include schemaLocation="${f}"/>`).join('')}${own.join('')}`
        : ownFiles.length === 1 && ownFiles[0] === SOAP_ENCODING_XSD
          ? `<xs:include schemaLocation="${SOAP_ENCODING_XSD}"/>`
          : `${imports(namespace)}${ownFiles.map((f) => `<xs:include schemaLocation="${f}"/>`).join('')}`;
    writeFileSync(
      join(dir, hub(namespace)),
      `${XSD_HEADER}${target} elementFormDefault="unqualified">${body}</xs:schema>`,
    );
  }
  writeFileSync(join(dir, 'main.xsd'), `${XSD_HEADER}>${imports('\u0000')}</xs:schema>`);

  return {
    async validate(envelopes) {
      const parts: { part: string; file: string }[] = [];
      envelopes.forEach((xml, index) => {
        const root = new DOMParser().parseFromString(xml, 'text/xml').documentElement;
        const envelopeNs = root?.namespaceURI ?? '';
        if (!root || !Object.values(ENVELOPE_NS).includes(envelopeNs as never))
          throw new Error(`envelope #${index} is not a SOAP envelope: ${xml.slice(0, 200)}`);
        const stripSoapAttributes = (copy: Element) => {
          for (const name of ['encodingStyle', 'mustUnderstand', 'actor', 'role'])
            copy.removeAttributeNS(envelopeNs, name);
        };
        for (const section of ['Header', 'Body'])
          for (const container of childElements(root, envelopeNs, section))
            for (const entry of childElements(container)) {
              const file = join(dir, `e${index}-${parts.length}.xml`);
              writeFileSync(file, standalone(entry, stripSoapAttributes));
              parts.push({ part: `#${index} ${section} <${entry.tagName}>`, file });
            }
      });
      if (parts.length === 0) return [];
      const { stderr } = await run(
        'xmllint',
        ['--noout', '--nonet', '--schema', join(dir, 'main.xsd'), ...parts.map((p) => p.file)],
        { maxBuffer: 64 * 1024 * 1024 },
      ).catch((error: unknown) => {
        // xmllint exits non-zero when a document is invalid; its verdicts are on stderr either way.
        const { stderr } = error as { stderr?: unknown };
        if (typeof stderr !== 'string') throw error;
        return { stderr };
      });
      if (/failed to compile/.test(stderr))
        throw new Error(`the WSDL's schemas do not compile in xmllint:\n${stderr.slice(0, 4000)}`);
      const lines = stderr.split('\n');
      return parts.map(({ part, file }) => ({
        part,
        valid: lines.includes(`${file} validates`),
        errors: lines.filter((line) => line.startsWith(`${file}:`)),
      }));
    },
  };
}
