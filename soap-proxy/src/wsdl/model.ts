import type { Element } from '@xmldom/xmldom';
import type { WsdlDocuments } from './load.ts';
import { SchemaIndex } from './schema-index.ts';
import {
  attribute,
  childElements,
  firstChild,
  NS,
  qnameKey,
  resolveQName,
  targetNamespaceOf,
  type QName,
} from './xml.ts';

export interface MessagePart {
  name: string;
  /** document/literal: the global element the part is. */
  element?: QName;
  /** rpc: the part's type. */
  type?: QName;
}

export interface MessageModel {
  name: QName;
  parts: MessagePart[];
}

/** A message part the binding sends in `soap:Header` (`soap:header message=… part=…`). */
export interface HeaderModel {
  /** What it is called on the wire and in the REST API: the element's local name (or the part's name for a typed part). */
  name: string;
  /** The message the part belongs to (the operation's own, or another). */
  message: QName;
  part: MessagePart;
  use: 'literal' | 'encoded';
  /** A typed (rpc-style) part's namespace (`soap:header namespace`). */
  namespace: string;
  /** `wsdl:required="true"` on the soap:header: every call must carry it. */
  required: boolean;
}

export interface OperationModel {
  name: string;
  soapAction: string;
  style: 'rpc' | 'document';
  use: 'literal' | 'encoded';
  /** rpc: the namespace of the operation wrapper element (soap:body namespace). */
  namespace: string;
  /** The parts that travel in the Body (`soap:body parts`, else every part not bound as a header). */
  input: MessageModel | undefined;
  output: MessageModel | undefined;
  inputHeaders: HeaderModel[];
  outputHeaders: HeaderModel[];
  faults: MessageModel[];
  documentation: string | undefined;
}

export interface PortModel {
  name: string;
  address: string;
  soapVersion: '1.1' | '1.2';
  operations: OperationModel[];
}

export interface ServiceModel {
  name: string;
  ports: PortModel[];
}

export interface WsdlModel {
  location: string;
  targetNamespace: string;
  services: ServiceModel[];
  schemas: SchemaIndex;
}

/** Finds a named top-level WSDL component across the main document and its imports. */
function wsdlComponent(
  definitions: readonly Element[],
  localName: string,
  name: QName,
): Element | undefined {
  for (const root of definitions) {
    for (const candidate of childElements(root, NS.wsdl, localName)) {
      if (
        attribute(candidate, 'name') === name.name &&
        (attribute(root, 'targetNamespace') ?? '') === name.ns
      )
        return candidate;
    }
  }
  return undefined;
}

/** The message `reference` names (its `message` attribute, or `name` when given). */
function messageOf(
  definitions: readonly Element[],
  reference: Element,
  name?: QName,
): MessageModel | undefined {
  const messageAttribute = attribute(reference, 'message');
  if (name === undefined && messageAttribute === undefined) return undefined;
  return message(definitions, name ?? resolveQName(reference, messageAttribute ?? ''));
}

function message(definitions: readonly Element[], name: QName): MessageModel {
  const element = wsdlComponent(definitions, 'message', name);
  if (!element) throw new Error(`message ${qnameKey(name)} is referenced but not defined`);
  return {
    name,
    parts: childElements(element, NS.wsdl, 'part').map((part) => {
      const elementRef = attribute(part, 'element');
      const typeRef = attribute(part, 'type');
      return {
        name: attribute(part, 'name') ?? '',
        ...(elementRef === undefined ? {} : { element: resolveQName(part, elementRef) }),
        ...(typeRef === undefined ? {} : { type: resolveQName(part, typeRef) }),
      };
    }),
  };
}

function soapChild(
  parent: Element | undefined,
  version: '1.1' | '1.2',
  localName: string,
): Element | undefined {
  return parent && firstChild(parent, version === '1.1' ? NS.soap11 : NS.soap12, localName);
}

function documentationOf(element: Element): string | undefined {
  const text = firstChild(element, NS.wsdl, 'documentation')?.textContent?.trim();
  return text === '' ? undefined : text;
}

/**
 * One direction (wsdl:input or wsdl:output) of a bound operation: its Body parts and its header
 * parts. A header part may come from the operation's own message (then `soap:body parts` names
 * what stays in the Body; without it, whatever is not a header stays) or from another message.
 */
function boundMessage(
  definitions: readonly Element[],
  abstract: Element | undefined,
  bound: Element | undefined,
  version: '1.1' | '1.2',
): { body: MessageModel | undefined; headers: HeaderModel[] } {
  const message = abstract && messageOf(definitions, abstract);
  const soapNs = version === '1.1' ? NS.soap11 : NS.soap12;
  const headers = (bound ? childElements(bound, soapNs, 'header') : []).flatMap(
    (header): HeaderModel[] => {
      const partName = attribute(header, 'part') ?? '';
      const messageRef = attribute(header, 'message');
      const from =
        messageRef === undefined
          ? message
          : messageOf(definitions, header, resolveQName(header, messageRef));
      const part = from?.parts.find((candidate) => candidate.name === partName);
      if (!from || !part) return [];
      return [
        {
          name: part.element?.name ?? part.name,
          message: from.name,
          part,
          use: attribute(header, 'use') === 'encoded' ? 'encoded' : 'literal',
          namespace: attribute(header, 'namespace') ?? '',
          required: header.getAttributeNS(NS.wsdl, 'required') === 'true',
        },
      ];
    },
  );
  if (!message) return { body: undefined, headers };
  const body = bound && firstChild(bound, soapNs, 'body');
  const listed = body && attribute(body, 'parts');
  const inHeader = new Set(
    headers
      .filter((header) => qnameKey(header.message) === qnameKey(message.name))
      .map((header) => header.part.name),
  );
  const bodyParts =
    listed === undefined
      ? message.parts.filter((part) => !inHeader.has(part.name))
      : listed
          .split(/\s+/)
          .filter(Boolean)
          .flatMap((name) => message.parts.filter((part) => part.name === name));
  return { body: { ...message, parts: bodyParts }, headers };
}

/**
 * The services, SOAP ports and operations of a WSDL 1.1 description: for each operation its
 * style and use (from the binding), SOAP action, and input/output/fault messages. Ports whose
 * binding is not SOAP 1.1 or 1.2 (HTTP GET/POST) are left out.
 */
export function describeWsdl(documents: WsdlDocuments): WsdlModel {
  const { definitions } = documents;
  const [main] = definitions;
  const services: ServiceModel[] = [];
  for (const root of definitions) {
    for (const service of childElements(root, NS.wsdl, 'service')) {
      const ports: PortModel[] = [];
      for (const port of childElements(service, NS.wsdl, 'port')) {
        const address11 = firstChild(port, NS.soap11, 'address');
        const address12 = firstChild(port, NS.soap12, 'address');
        const address = address11 ?? address12;
        const soapVersion = address11 ? '1.1' : '1.2';
        const bindingRef = attribute(port, 'binding');
        if (!address || bindingRef === undefined) continue;
        const bindingName = resolveQName(port, bindingRef);
        const binding = wsdlComponent(definitions, 'binding', bindingName);
        if (!binding)
          throw new Error(
            `port ${attribute(port, 'name') ?? ''} uses undefined binding ${qnameKey(bindingName)}`,
          );
        const soapBinding = soapChild(binding, soapVersion, 'binding');
        const defaultStyle =
          attribute(soapBinding ?? binding, 'style') === 'rpc' ? 'rpc' : 'document';
        const portTypeName = resolveQName(binding, attribute(binding, 'type') ?? '');
        const portType = wsdlComponent(definitions, 'portType', portTypeName);
        if (!portType)
          throw new Error(
            `binding ${bindingName.name} uses undefined portType ${qnameKey(portTypeName)}`,
          );

        const operations = childElements(binding, NS.wsdl, 'operation').map(
          (bindingOperation): OperationModel => {
            const name = attribute(bindingOperation, 'name') ?? '';
            const abstract = childElements(portType, NS.wsdl, 'operation').find(
              (candidate) => attribute(candidate, 'name') === name,
            );
            if (!abstract)
              throw new Error(
                `binding ${bindingName.name} binds ${name}, which portType ${portTypeName.name} lacks`,
              );
            const soapOperation = soapChild(bindingOperation, soapVersion, 'operation');
            const boundInput = firstChild(bindingOperation, NS.wsdl, 'input');
            const body = soapChild(boundInput, soapVersion, 'body');
            const input = boundMessage(
              definitions,
              firstChild(abstract, NS.wsdl, 'input'),
              boundInput,
              soapVersion,
            );
            const output = boundMessage(
              definitions,
              firstChild(abstract, NS.wsdl, 'output'),
              firstChild(bindingOperation, NS.wsdl, 'output'),
              soapVersion,
            );
            return {
              name,
              soapAction: attribute(soapOperation ?? bindingOperation, 'soapAction') ?? '',
              style:
                (attribute(soapOperation ?? bindingOperation, 'style') ?? defaultStyle) === 'rpc'
                  ? 'rpc'
                  : 'document',
              use: body && attribute(body, 'use') === 'encoded' ? 'encoded' : 'literal',
              namespace: (body && attribute(body, 'namespace')) ?? targetNamespaceOf(binding),
              input: input.body,
              output: output.body,
              inputHeaders: input.headers,
              outputHeaders: output.headers,
              faults: childElements(abstract, NS.wsdl, 'fault').flatMap(
                (fault) => messageOf(definitions, fault) ?? [],
              ),
              documentation: documentationOf(abstract),
            };
          },
        );
        ports.push({
          name: attribute(port, 'name') ?? '',
          address: attribute(address, 'location') ?? '',
          soapVersion,
          operations,
        });
      }
      services.push({ name: attribute(service, 'name') ?? '', ports });
    }
  }
  return {
    location: documents.location,
    targetNamespace: main ? (attribute(main, 'targetNamespace') ?? '') : '',
    services,
    schemas: new SchemaIndex(documents.schemas),
  };
}
