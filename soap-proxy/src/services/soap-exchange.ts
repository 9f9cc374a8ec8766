import type { FieldError } from '@manifold/platform/errors';
import { UpstreamError } from '@manifold/platform/resilience';
import { readElement } from '../mapping/from-xml.ts';
import type { SchemaResolver } from '../mapping/schema-walk.ts';
import { readFault, type SoapFault } from '../mapping/soap-fault.ts';
import { writeElement, type WriteContext } from '../mapping/to-xml.ts';
import type { HeaderField } from '../openapi/header-fields.ts';
import type { GeneratedApi } from '../openapi/document.ts';
import type { JsonSchema } from '../wsdl/json-schema.ts';
import { childElements, NS } from '../wsdl/xml.ts';
import {
  envelope,
  NotAnEnvelopeError,
  parseEnvelope,
  type ParsedEnvelope,
} from '../xml/envelope.ts';
import { ENVELOPE_NS, NamespacePrefixes } from '../xml/namespaces.ts';
import type { SoapHttpAnswer } from '../clients/soap-http.ts';

export type RestOperationSchemas = GeneratedApi['operations'][number];

/** How a SOAP header entry is flagged (per service, from configuration). */
export interface HeaderFlags {
  mustUnderstand?: boolean | undefined;
  /** SOAP 1.1 `actor`, SOAP 1.2 `role`. */
  actor?: string | undefined;
}

/** A fault answer, shaped as mapping/faults.ts reads it (node-soap's shape, which it was written for). */
export class SoapFaultAnswer extends Error {
  override name = 'SoapFaultAnswer';
  readonly root: { Envelope: { Body: { Fault: SoapFault } } };
  readonly response: { status: number; headers: SoapHttpAnswer['headers'] };
  constructor(fault: SoapFault, answer: SoapHttpAnswer) {
    super(fault.faultstring);
    this.root = { Envelope: { Body: { Fault: fault } } };
    this.response = { status: answer.status, headers: answer.headers };
  }
}

/** An HTTP error status without a SOAP fault (mapped by its status). */
export class SoapHttpStatus extends Error {
  override name = 'SoapHttpStatus';
  readonly response: { status: number; headers: SoapHttpAnswer['headers'] };
  constructor(answer: SoapHttpAnswer, what: string) {
    super(`HTTP ${answer.status}: ${what}`);
    this.response = { status: answer.status, headers: answer.headers };
  }
}

export interface PreparedRequest {
  /** Input the schema allowed but that cannot be sent as given (400). */
  problems: FieldError[];
  /** The envelope, with `lateHeaders` (the session's) and the per-call headers (WS-Security) added. */
  finish: (lateHeaders: Readonly<Record<string, unknown>>) => string;
}

export interface SoapAnswer {
  body: unknown;
  /** SOAP headers of the answer the WSDL declares, by name. */
  headers: Record<string, unknown>;
}

export interface SoapExchange {
  /** Content-Type and SOAPAction for the envelope. */
  httpHeaders: Record<string, string>;
  request(
    input: unknown,
    soapHeaders: Readonly<Record<string, unknown>>,
    inexact: WriteContext['inexact'],
  ): PreparedRequest;
  /** The answer's JSON, or throws what mapping/faults.ts maps (a fault, an HTTP status, a wrong answer). */
  answer(http: SoapHttpAnswer): SoapAnswer;
}

const contentTypeOf = (headers: SoapHttpAnswer['headers']) => {
  const value = headers['content-type'];
  return (Array.isArray(value) ? value.join(', ') : value) ?? 'no content type';
};

/**
 * Envelopes for one operation, written and read from the generated schemas (no second parse of
 * the WSDL): Body parts by style (document: the part elements; rpc: a wrapper in the soap:body
 * namespace, one unqualified accessor per part, xsi:types and encodingStyle when encoded), header
 * parts in soap:Header in their own namespace with mustUnderstand and actor/role where configured.
 */
export function createSoapExchange(
  rest: RestOperationSchemas,
  {
    upstream,
    resolve,
    headerFields,
    headerFlags,
    extraHeaders,
  }: {
    upstream: string;
    resolve: SchemaResolver;
    /** Every header part of the operation's input, configured ones included. */
    headerFields: readonly HeaderField[];
    headerFlags: Readonly<Record<string, HeaderFlags>>;
    /** Header entries written per call (WS-Security). */
    extraHeaders: () => string[];
  },
): SoapExchange {
  const { operation, port } = rest;
  const version = port.soapVersion;
  const envelopeNs = ENVELOPE_NS[version];
  const encoded = operation.use === 'encoded';
  const inputParts = operation.input?.parts ?? [];
  const outputParts = operation.output?.parts ?? [];
  const wrapped = rest.inputWrapped ? inputParts[0]?.element : undefined;
  const propertyOf = (schema: JsonSchema, name: string) =>
    ((resolve(schema)['properties'] ?? {}) as Record<string, JsonSchema>)[name] ?? {};
  const action = operation.soapAction;
  const httpHeaders =
    version === '1.1'
      ? { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${action}"` }
      : {
          'content-type': `application/soap+xml; charset=utf-8${action ? `; action="${action}"` : ''}`,
        };

  const writeBody = (input: unknown, context: WriteContext): string[] => {
    const out: string[] = [];
    const root = { holder: undefined, key: '', pointer: '' };
    const record = (input ?? {}) as Record<string, unknown>;
    if (wrapped) {
      writeElement(out, wrapped, input ?? {}, rest.input, context, root);
      return out;
    }
    const partPlace = (name: string) => ({ holder: record, key: name, pointer: `/${name}` });
    if (operation.style === 'document') {
      for (const part of inputParts)
        if (part.element)
          writeElement(
            out,
            part.element,
            record[part.name],
            propertyOf(rest.input, part.name),
            context,
            partPlace(part.name),
          );
      return out;
    }
    // rpc: the operation's wrapper element, one accessor per part (unqualified, as WSDL 1.1 and WS-I say).
    const tag = context.prefixes.qualified(operation.namespace, operation.name);
    const encodingStyle = encoded
      ? ` ${context.prefixes.qualified(envelopeNs, 'encodingStyle')}="${NS.soapEnc}"`
      : '';
    out.push(`<${tag}${encodingStyle}>`);
    for (const part of inputParts)
      writeElement(
        out,
        part.element ?? { ns: '', name: part.name },
        record[part.name],
        propertyOf(rest.input, part.name),
        context,
        partPlace(part.name),
        { xsiType: encoded ? part.type : undefined },
      );
    out.push(`</${tag}>`);
    return out;
  };

  const writeHeaders = (values: Readonly<Record<string, unknown>>, context: WriteContext) => {
    const out: string[] = [];
    for (const field of headerFields) {
      const value = values[field.name];
      if (value === undefined) continue;
      const flags = headerFlags[field.name] ?? {};
      const flag = (local: string, text: string) =>
        ` ${context.prefixes.qualified(envelopeNs, local)}="${text}"`;
      const attributes =
        (flags.mustUnderstand === undefined
          ? ''
          : flag(
              'mustUnderstand',
              version === '1.1' ? (flags.mustUnderstand ? '1' : '0') : String(flags.mustUnderstand),
            )) +
        (flags.actor === undefined ? '' : flag(version === '1.1' ? 'actor' : 'role', flags.actor));
      const { part } = field.header;
      writeElement(
        out,
        part.element ?? { ns: field.header.namespace, name: part.name },
        value,
        field.schema,
        context,
        { holder: values, key: field.name, pointer: `/${field.httpName}` },
        { attributes, xsiType: field.header.use === 'encoded' ? part.type : undefined },
      );
    }
    return out;
  };

  const readBody = (parsed: ParsedEnvelope, http: SoapHttpAnswer): unknown => {
    const context = { resolve, byId: parsed.byId };
    const [first] = parsed.body;
    if (outputParts.length === 0) return {};
    const wrongAnswer = (what: string, expected: string) =>
      new UpstreamError(
        'UPSTREAM_ERROR',
        upstream,
        `${upstream} answered ${operation.name} with ${what} where ${expected} was expected`,
        { transient: false, status: http.status },
      );
    const [onlyPart] = outputParts;
    if (rest.outputWrapped && onlyPart?.element) {
      const expected = `<${onlyPart.element.name}>`;
      if (!first) throw wrongAnswer('an empty Body', expected);
      if (first.localName !== onlyPart.element.name)
        throw wrongAnswer(`<${first.tagName}>`, expected);
      return readElement(first, rest.output, context);
    }
    const result: Record<string, unknown> = {};
    const accessors = operation.style === 'rpc' ? (first ? childElements(first) : []) : parsed.body;
    if (operation.style === 'rpc' && !first)
      throw wrongAnswer('an empty Body', `<${operation.name}Response>`);
    for (const part of outputParts) {
      const name = operation.style === 'rpc' ? part.name : (part.element?.name ?? part.name);
      const found = accessors.find((candidate) => candidate.localName === name);
      if (found) {
        const value = readElement(found, propertyOf(rest.output, part.name), context);
        if (value !== undefined) result[part.name] = value;
      }
    }
    return result;
  };

  return {
    httpHeaders,
    request(input, soapHeaders, inexact) {
      const context: WriteContext = {
        resolve,
        prefixes: new NamespacePrefixes(envelopeNs),
        inexact,
        problems: [],
      };
      const body = writeBody(input, context);
      const headers = writeHeaders(soapHeaders, context);
      return {
        problems: context.problems,
        finish: (lateHeaders) =>
          envelope(
            context.prefixes,
            [...headers, ...writeHeaders(lateHeaders, context), ...extraHeaders()],
            body,
          ),
      };
    },
    answer(http) {
      let parsed: ParsedEnvelope;
      try {
        parsed = parseEnvelope(http.text);
      } catch (error) {
        if (!(error instanceof NotAnEnvelopeError)) throw error;
        const what = `${error.what} (${contentTypeOf(http.headers)})`;
        if (http.status >= 400) throw new SoapHttpStatus(http, what);
        throw new UpstreamError(
          'UPSTREAM_ERROR',
          upstream,
          `${upstream} answered ${operation.name} with HTTP ${http.status} and ${what}, not a SOAP envelope`,
          { transient: false, status: http.status },
        );
      }
      const [first] = parsed.body;
      if (first?.localName === 'Fault' && first.namespaceURI === ENVELOPE_NS[parsed.version])
        throw new SoapFaultAnswer(
          readFault(first, rest.faultDetail, { resolve, byId: parsed.byId }),
          http,
        );
      if (http.status >= 400) throw new SoapHttpStatus(http, 'a SOAP answer without a Fault');
      const headers: Record<string, unknown> = {};
      for (const field of rest.outputHeaders) {
        const entry = parsed.headerEntries.find((candidate) => candidate.localName === field.name);
        if (entry)
          headers[field.name] = readElement(entry, field.schema, { resolve, byId: parsed.byId });
      }
      return { body: readBody(parsed, http), headers };
    },
  };
}
