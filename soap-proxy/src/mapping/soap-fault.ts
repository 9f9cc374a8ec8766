import type { Element } from '@xmldom/xmldom';
import type { JsonSchema } from '../wsdl/xsd-builtins.ts';
import { childElements } from '../wsdl/xml.ts';
import { addRepeat, readElement, readPlain, type ReadContext } from './from-xml.ts';
import { objectProperties } from './schema-walk.ts';

/** A SOAP 1.1 or 1.2 fault, in the shape mapping/faults.ts reads. */
export interface SoapFault {
  faultcode: string;
  faultstring: string;
  detail?: Record<string, unknown>;
}

const childText = (parent: Element | undefined, ...path: string[]) => {
  let current = parent;
  for (const name of path)
    current = current && childElements(current).find((c) => c.localName === name);
  return current?.textContent?.trim();
};

/**
 * Reads a Fault element (SOAP 1.1 `faultcode`/`faultstring`/`detail`, SOAP 1.2 `Code/Value`,
 * `Reason/Text`, `Detail`). Detail entries the operation declares (wsdl:fault) are read by their
 * schema, like answers; others as plain content.
 */
export function readFault(
  fault: Element,
  detailSchema: JsonSchema | undefined,
  context: ReadContext,
): SoapFault {
  const detailElement = childElements(fault).find(
    (child) => child.localName === 'detail' || child.localName === 'Detail',
  );
  const declared = detailSchema ? objectProperties(detailSchema, context.resolve) : {};
  let detail: Record<string, unknown> | undefined;
  for (const entry of detailElement ? childElements(detailElement) : []) {
    const name = entry.localName ?? '';
    const schema = declared[name];
    detail ??= {};
    addRepeat(detail, name, schema ? readElement(entry, schema, context) : readPlain(entry));
  }
  return {
    faultcode: childText(fault, 'faultcode') ?? childText(fault, 'Code', 'Value') ?? 'Server',
    faultstring:
      childText(fault, 'faultstring') ?? childText(fault, 'Reason', 'Text') ?? 'SOAP fault',
    ...(detail ? { detail } : {}),
  };
}
