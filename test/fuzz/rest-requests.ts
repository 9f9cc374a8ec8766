import fc from 'fast-check';
import {
  arbitraryFor,
  oddJson,
  valuesFor,
  type NamedArbitraries,
  type Schema,
} from './schema-arbitrary.ts';

/** An OpenAPI 3.1 document, as far as the fuzz reads it. */
export interface OpenApiDocument {
  /** Path items: operations by method, and other members (parameters, summary). */
  paths: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, Schema> };
}

interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}

export interface OpenApiOperation {
  parameters?: OpenApiParameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}

/** One request as it goes over the wire, and the documented operation it was generated for. */
export interface RestRequestCase {
  /** The documented operation: its method and path template (`get /api/v2/customers/{id}`). */
  operation: { method: string; template: string };
  /** The path with its query string. */
  path: string;
  /** Whether it carries the caller's credentials (never part of the input: the corpus keeps inputs). */
  authenticated: boolean;
  headers: Record<string, string>;
  body: string | undefined;
}

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

type ParameterValue = readonly [OpenApiParameter, unknown];

/** Every operation a document describes. */
export function operationsOf(
  document: OpenApiDocument,
): { method: string; template: string; operation: OpenApiOperation }[] {
  return Object.entries(document.paths).flatMap(([template, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.has(method))
      .map(([method, operation]) => ({
        method,
        template,
        operation: operation as OpenApiOperation,
      })),
  );
}

/** A value as a path segment, query value or header carries it. */
const asText = (value: unknown): string =>
  typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);

/** fetch refuses header values with controls or non-Latin-1 characters: those go percent-encoded. */
const headerSafe = (text: string): string =>
  /^[\x20-\x7e]*$/.test(text) ? text.trim() : encodeURIComponent(text);

const CONTENT_TYPES = fc.oneof(
  { weight: 8, arbitrary: fc.constant('application/json') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      undefined,
      'application/json; charset=utf-8',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/xml',
      'multipart/form-data; boundary=x',
    ),
  },
);

export interface RestRequestOptions {
  /** Values the schemas cannot describe, by property or parameter name (valid SDL, versions that exist). */
  named?: NamedArbitraries;
}

/**
 * Requests for every operation of a service's own `/openapi.json`: its documented parameters and
 * body generated from their schemas — mostly valid, some with odd values (wrong types, edge
 * numbers, control characters, emoji), absent required ones, undocumented extras, bodies that
 * are not JSON or not of the documented shape, other media types, and sometimes no credentials.
 */
export function restRequests(
  document: OpenApiDocument,
  { named = {} }: RestRequestOptions = {},
): fc.Arbitrary<RestRequestCase> {
  const components = document.components?.schemas ?? {};
  const value = (name: string, schema: Schema | undefined) =>
    fc.oneof(
      { weight: 4, arbitrary: valuesFor(name, schema, components, named) },
      { weight: 1, arbitrary: oddJson },
    );
  const perOperation = operationsOf(document).map(({ method, template, operation }) => {
    const parameters = operation.parameters ?? [];
    // Path parameters always (a route without one is another route); the others mostly.
    const parameterValues = fc.tuple(
      ...parameters.map((parameter): fc.Arbitrary<ParameterValue | null> => {
        const entry = value(parameter.name, parameter.schema).map((v): ParameterValue => [
          parameter,
          v,
        ]);
        return parameter.in === 'path' ? entry : fc.option(entry, { freq: 3 });
      }),
    );
    const bodySchema = operation.requestBody?.content?.['application/json']?.schema;
    const body =
      bodySchema === undefined
        ? fc.constant(undefined)
        : fc.oneof(
            {
              weight: 6,
              arbitrary: arbitraryFor(bodySchema, components, 0, named).map((v) =>
                JSON.stringify(v),
              ),
            },
            { weight: 1, arbitrary: oddJson.map((v) => JSON.stringify(v)) },
            {
              weight: 1,
              arbitrary: fc
                .tuple(arbitraryFor(bodySchema, components, 0, named), fc.nat())
                .map(([v, cut]) => {
                  const text = JSON.stringify(v);
                  return text.slice(0, cut % Math.max(1, text.length));
                }),
            },
            { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
          );
    return fc
      .record({
        values: parameterValues,
        extra: fc.option(fc.tuple(fc.constantFrom('x', 'limit', 'debug', '__proto__'), oddJson), {
          freq: 5,
        }),
        body,
        contentType: CONTENT_TYPES,
        authenticated: fc.oneof(
          { weight: 12, arbitrary: fc.constant(true) },
          { weight: 1, arbitrary: fc.constant(false) },
        ),
      })
      .map(({ values, extra, body: payload, contentType, authenticated }): RestRequestCase => {
        let path = template;
        const query = new URLSearchParams();
        const headers: Record<string, string> = {};
        for (const entry of values) {
          if (entry === null) continue;
          const [parameter, v] = entry;
          const text = asText(v);
          if (parameter.in === 'path')
            path = path.replace(`{${parameter.name}}`, encodeURIComponent(text));
          else if (parameter.in === 'query') query.append(parameter.name, text);
          else if (parameter.in === 'header')
            headers[parameter.name.toLowerCase()] = headerSafe(text);
        }
        // A path parameter left out (optional in no document, but be safe): an empty segment.
        path = path.replace(/\{[^}]+\}/g, '');
        if (extra) query.append(extra[0], asText(extra[1]));
        if (payload !== undefined && contentType !== undefined)
          headers['content-type'] = contentType;
        const search = query.toString();
        return {
          operation: { method, template },
          path: search === '' ? path : `${path}?${search}`,
          authenticated,
          headers,
          body: payload,
        };
      });
  });
  return fc.oneof(...perOperation);
}

/**
 * Sends one generated request to a service exactly as generated, with `credentials` (the headers
 * of a caller allowed every route) when it is to be authenticated.
 */
export const sendRest =
  (baseUrl: string, credentials: Record<string, string>) =>
  async ({ operation, path, authenticated, headers, body }: RestRequestCase) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method: operation.method.toUpperCase(),
      headers: authenticated ? { ...headers, ...credentials } : headers,
      ...(body === undefined ? {} : { body }),
    });
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      body: await response.text(),
    };
  };
