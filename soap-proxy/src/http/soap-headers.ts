import { AppError, type FieldError } from '@manifold/platform/errors';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fieldErrors } from '../mapping/field-errors.ts';
import { httpHeaderName } from '../openapi/header-fields.ts';
import type { BoundOperation } from '../services/soap-service.ts';

/**
 * The SOAP headers a request carries: `SOAP-Header-<name>: <JSON>` for each header part the
 * operation binds and the service does not fill in itself, each checked against its schema.
 */
export function requestSoapHeaders(
  req: IncomingMessage,
  operation: BoundOperation,
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  const errors: FieldError[] = [];
  for (const header of operation.requestHeaders) {
    // Node joins repeated values with ", ", as Express's req.get reads them.
    const text = req.headers[header.httpName.toLowerCase()] as string | undefined;
    if (text === undefined) {
      if (header.header.required)
        errors.push({ pointer: `/${header.httpName}`, detail: 'is a required SOAP header' });
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      errors.push({ pointer: `/${header.httpName}`, detail: 'is not JSON' });
      continue;
    }
    if (!header.validate(value)) {
      for (const error of fieldErrors(header.validate.errors))
        errors.push({
          pointer: `/${header.httpName}${error.pointer === '/' ? '' : error.pointer}`,
          detail: error.detail,
        });
      continue;
    }
    values[header.name] = value;
  }
  if (errors.length > 0)
    throw new AppError('BAD_USER_INPUT', `Invalid SOAP headers for ${operation.name}`, {
      errors,
    });
  return values;
}

// HTTP header values are Latin-1 at most: JSON's \u escapes keep every character.
const asciiJson = (value: unknown) =>
  JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

/** The answer's SOAP headers as `SOAP-Header-<name>: <JSON>`. */
export function setSoapHeaders(
  res: ServerResponse,
  headers: Readonly<Record<string, unknown>>,
): void {
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined) res.setHeader(httpHeaderName(name), asciiJson(value));
}
