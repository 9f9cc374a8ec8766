import { readFile } from 'node:fs/promises';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { fetch, type Dispatcher } from 'undici';
import { decodeXml } from '../xml/decode.ts';
import { attribute, childElements, descendants, NS } from './xml.ts';

export interface WsdlDocuments {
  /** Where the main WSDL came from (path or URL). */
  location: string;
  /** `wsdl:definitions` of the main file and every WSDL it imports. */
  definitions: Element[];
  /** Every `xsd:schema`: inline in WSDL `types`, and in imported/included XSD files. */
  schemas: Element[];
}

/** An http(s) URL rather than a local path. */
export const isUrl = (location: string) => /^https?:\/\//i.test(location);

export interface WsdlFetchInit {
  headers?: Record<string, string>;
  /** An undici dispatcher, e.g. one presenting a client certificate (mTLS). */
  dispatcher?: Dispatcher;
}

async function readLocation(
  location: string,
  timeoutMs: number,
  init: WsdlFetchInit,
): Promise<string> {
  try {
    if (!isUrl(location)) return decodeXml(await readFile(location));
    const response = await fetch(location, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`GET ${location} answered HTTP ${response.status}`);
    return decodeXml(
      new Uint8Array(await response.arrayBuffer()),
      response.headers.get('content-type') ?? undefined,
    );
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('its encoding'))
      throw new Error(`${location}: ${error.message}`, { cause: error });
    throw error;
  }
}

function parseXml(text: string, location: string): Element {
  const errors: string[] = [];
  const document = new DOMParser({
    onError: (level, message) => {
      if (level !== 'warning') errors.push(message);
    },
  }).parseFromString(text, 'text/xml');
  const root = document.documentElement;
  if (errors.length > 0 || !root)
    throw new Error(`${location} is not well-formed XML: ${errors[0] ?? 'no root element'}`);
  return root;
}

/**
 * Loads a WSDL and everything it pulls in: `wsdl:import`, and `xsd:import` / `xsd:include` with a
 * schemaLocation, resolved relative to the importing file. Each file is read once; URLs are
 * fetched with `fetchInit` (the service's transport credentials).
 */
export async function loadWsdlDocuments(
  location: string,
  { timeoutMs = 10_000, fetchInit = {} }: { timeoutMs?: number; fetchInit?: WsdlFetchInit } = {},
): Promise<WsdlDocuments> {
  const seen = new Set<string>();
  const result: WsdlDocuments = { location, definitions: [], schemas: [] };

  const visit = async (target: string): Promise<void> => {
    if (seen.has(target)) return;
    seen.add(target);
    const root = parseXml(await readLocation(target, timeoutMs, fetchInit), target);
    const base = isUrl(target)
      ? target
      : `file://${target.startsWith('/') ? '' : `${process.cwd()}/`}${target}`;
    const resolve = (relative: string) => {
      const url = new URL(relative, base);
      return url.protocol === 'file:' ? decodeURIComponent(url.pathname) : url.href;
    };
    const pending: string[] = [];
    if (root.namespaceURI === NS.wsdl && root.localName === 'definitions') {
      result.definitions.push(root);
      for (const imported of childElements(root, NS.wsdl, 'import')) {
        const importLocation = attribute(imported, 'location');
        if (importLocation) pending.push(resolve(importLocation));
      }
      for (const types of childElements(root, NS.wsdl, 'types'))
        result.schemas.push(...childElements(types, NS.xsd, 'schema'));
    } else if (root.namespaceURI === NS.xsd && root.localName === 'schema') {
      result.schemas.push(root);
    } else {
      throw new Error(
        `${target} is neither a WSDL 1.1 document nor an XML Schema (root <${root.tagName}>)`,
      );
    }
    const schemaRoots =
      root.localName === 'schema'
        ? [root]
        : result.schemas.filter((schema) => schema.ownerDocument === root.ownerDocument);
    for (const schema of schemaRoots) {
      for (const element of descendants(schema)) {
        if (
          element.namespaceURI !== NS.xsd ||
          (element.localName !== 'import' && element.localName !== 'include')
        )
          continue;
        const schemaLocation = attribute(element, 'schemaLocation');
        if (schemaLocation) pending.push(resolve(schemaLocation));
      }
    }
    for (const next of pending) await visit(next);
  };

  await visit(location);
  if (result.definitions.length === 0) throw new Error(`${location} contains no wsdl:definitions`);
  return result;
}
