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

export interface OperationModel {
  name: string;
  soapAction: string;
  style: 'rpc' | 'document';
  use: 'literal' | 'encoded';
  /** rpc: the namespace of the operation wrapper element (soap:body namespace). */
  namespace: string;
  input: MessageModel | undefined;
  output: MessageModel | undefined;
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

function message(
  definitions: readonly Element[],
  reference: Element | undefined,
): MessageModel | undefined {
  const messageAttribute = reference && attribute(reference, 'message');
  if (!reference || messageAttribute === undefined) return undefined;
  const name = resolveQName(reference, messageAttribute);
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
            const body = soapChild(
              firstChild(bindingOperation, NS.wsdl, 'input'),
              soapVersion,
              'body',
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
              input: message(definitions, firstChild(abstract, NS.wsdl, 'input')),
              output: message(definitions, firstChild(abstract, NS.wsdl, 'output')),
              faults: childElements(abstract, NS.wsdl, 'fault').flatMap(
                (fault) => message(definitions, fault) ?? [],
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
