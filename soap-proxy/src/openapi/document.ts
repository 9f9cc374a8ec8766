import { ComponentNames, JsonSchemaBuilder, type JsonSchema } from '../wsdl/json-schema.ts';
import type { HeaderModel, WsdlModel } from '../wsdl/model.ts';
import { mergeDirections } from './directions.ts';
import { headerField, headerParameter, responseHeader, type HeaderField } from './header-fields.ts';
import {
  createResolver,
  objectProperties,
  schemaKind,
  unwrapNullable,
  type SchemaResolver,
} from '../mapping/schema-walk.ts';
import { faultDetailSchema, messageSchema } from './message-schema.ts';
import { restOperations, type RestOperation } from './operations.ts';
import { serviceNameFor } from './service-name.ts';

export interface OpenApiOptions {
  /** URL segment naming the service. @default by the naming rule (openapi/service-name.ts) */
  serviceName?: string;
  /** @default '/api/v1' */
  basePath?: string;
  /** Operations answering GET as well as POST (configured `safe`). */
  safeOperations?: ReadonlySet<string>;
  /** @default '1.0.0' */
  version?: string;
  /** Prefix for component names, so several services can share one document. @default '' */
  componentPrefix?: string;
  /**
   * SOAP headers the service fills in itself (configured values, the session): not offered to
   * callers. @default none
   */
  configuredHeaders?: ReadonlySet<string>;
  /** `servers[0].url`. @default '/' (the soap-proxy serving the document) */
  serverUrl?: string;
}

export interface GeneratedApi {
  document: Record<string, unknown>;
  /**
   * `queryable`: safe, with scalar inputs only, so it is also offered as GET with query parameters.
   * `faultDetail`: the JSON of the declared faults' detail (undefined when the WSDL declares none).
   */
  operations: (RestOperation & {
    input: JsonSchema;
    output: JsonSchema;
    /** Whether the JSON is the content of the message's one element (else: a property per part). */
    inputWrapped: boolean;
    outputWrapped: boolean;
    /**
     * The operation's SOAP headers: those a caller may send (HTTP request headers; `configured`
     * ones the service fills in itself), and those answered.
     */
    inputHeaders: (HeaderField & { configured: boolean })[];
    outputHeaders: HeaderField[];
    faultDetail: JsonSchema | undefined;
    queryable: boolean;
  })[];
}

const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };

/** The one request header soap-proxy reads on every operation (besides SOAP headers). */
const REQUEST_ID_PARAMETER = {
  name: 'X-Request-Id',
  in: 'header',
  required: false,
  description:
    'Correlates the call in logs and is echoed on the answer (up to 255 letters, digits, _, - or =; anything else is replaced)',
  schema: { type: 'string', maxLength: 255, pattern: '^[\\w\\-=]+$' },
};

/** A problem+json response; with a fault detail schema, `faultDetail` is documented as that. */
const problem = (description: string, faultDetail?: JsonSchema) => ({
  description,
  content: {
    'application/problem+json': {
      schema: faultDetail
        ? { allOf: [PROBLEM_REF, { type: 'object', properties: { faultDetail } }] }
        : PROBLEM_REF,
    },
  },
});

/** RFC 9457 problem details, with the SOAP fault carried over when there was one. */
const PROBLEM_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: { type: 'string', format: 'uri-reference' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string', description: 'Stable Manifold error code (schema/errors.md)' },
    detail: {
      type: 'string',
      description: 'The SOAP faultstring / Reason, when the supplier sent one',
    },
    instance: { type: 'string' },
    upstream: { type: 'string' },
    faultcode: { type: 'string' },
    faultDetail: {
      type: 'object',
      description:
        "The SOAP fault detail, as JSON (the operation's own responses name the declared fault elements)",
    },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['pointer', 'detail'],
        properties: { pointer: { type: 'string' }, detail: { type: 'string' } },
      },
    },
  },
};

/** OpenAPI 3.1 for a WSDL: one POST (and GET for safe operations) per SOAP operation, schemas from the XSD. */
export function buildOpenApi(
  model: WsdlModel,
  {
    serviceName,
    basePath = '/api/v1',
    safeOperations = new Set(),
    version = '1.0.0',
    componentPrefix = '',
    configuredHeaders = new Set(),
    serverUrl = '/',
  }: OpenApiOptions = {},
): GeneratedApi {
  const names = new ComponentNames();
  names.claim('Problem');
  const builder = new JsonSchemaBuilder(model.schemas, { prefix: componentPrefix, names });
  const inputBuilder = new JsonSchemaBuilder(model.schemas, {
    prefix: componentPrefix,
    names,
    direction: 'input',
  });
  const headersOf = (headers: readonly HeaderModel[], from: JsonSchemaBuilder, where: string) =>
    headers.map((header) => ({
      ...headerField(from, header, where),
      configured: configuredHeaders.has(header.name),
    }));
  const name = serviceNameFor(model, serviceName);
  const built = restOperations(model, { basePath, serviceName: name }).map((rest) => {
    const where = `operation ${rest.operation.name}`;
    const input = messageSchema(inputBuilder, rest.operation.input, rest.operation);
    const output = messageSchema(builder, rest.operation.output, rest.operation);
    return {
      ...rest,
      input: input.schema,
      output: output.schema,
      inputWrapped: input.wrapped,
      outputWrapped: output.wrapped,
      inputHeaders: headersOf(rest.operation.inputHeaders, inputBuilder, where),
      outputHeaders: headersOf(rest.operation.outputHeaders, builder, where),
      faultDetail: faultDetailSchema(builder, rest.operation),
    };
  });
  const { components, inputSchema } = mergeDirections(builder, inputBuilder);
  const resolve = createResolver(components);
  const operations = built.map((rest) => {
    const input = inputSchema(rest.input);
    return {
      ...rest,
      input,
      inputHeaders: rest.inputHeaders.map((header) => ({
        ...header,
        schema: inputSchema(header.schema),
      })),
      queryable: safeOperations.has(rest.operation.name) && isScalarInput(input, resolve),
    };
  });

  const paths: Record<string, Record<string, unknown>> = {};
  for (const {
    path,
    operationId,
    operation,
    port,
    service,
    input,
    output,
    faultDetail,
    queryable,
    inputHeaders,
    outputHeaders,
  } of operations) {
    const headerParameters = [
      REQUEST_ID_PARAMETER,
      ...inputHeaders.filter((header) => !header.configured).map(headerParameter),
    ];
    const base = {
      tags: [service],
      summary:
        operation.documentation?.split('\n')[0]?.slice(0, 120) ??
        `${operation.name} (${port.name})`,
      ...(operation.documentation === undefined ? {} : { description: operation.documentation }),
      'x-soap': {
        operation: operation.name,
        port: port.name,
        soapAction: operation.soapAction,
        style: operation.style,
        use: operation.use,
        soapVersion: port.soapVersion,
      },
      responses: {
        '200': {
          description: `${operation.name} result`,
          ...(outputHeaders.length === 0
            ? {}
            : {
                headers: Object.fromEntries(
                  outputHeaders.map((header) => [header.httpName, responseHeader(header)]),
                ),
              }),
          content: { 'application/json': { schema: output } },
        },
        '400': problem(
          'The input does not match the schema (a JSON pointer per invalid field); nothing was sent upstream',
        ),
        '422': problem('The supplier rejected the request (SOAP Client/Sender fault)', faultDetail),
        '502': problem(
          'The supplier failed (SOAP Server/Receiver fault, or an answer that does not match the WSDL)',
          faultDetail,
        ),
        '503': problem('The supplier is unreachable or its circuit is open; see Retry-After'),
        '504': problem('The supplier did not answer in time'),
      },
    };
    const item: Record<string, unknown> = {
      post: {
        ...base,
        responses: {
          ...base.responses,
          '413': problem('The JSON body is larger than soap-proxy reads (1 MB)'),
          '415': problem('The body is not application/json'),
        },
        operationId,
        parameters: headerParameters,
        requestBody: { required: true, content: { 'application/json': { schema: input } } },
      },
    };
    if (queryable)
      item['get'] = {
        ...base,
        operationId: `${operationId}.get`,
        parameters: [...queryParameters(input), ...headerParameters],
      };
    paths[path] = item;
  }

  const wsdlServices = model.services.map((service) => service.name).join(', ');
  return {
    operations,
    document: {
      openapi: '3.1.0',
      info: {
        title: `${name} (SOAP via Manifold soap-proxy)`,
        version,
        // Only the WSDL's own names: where it was read from (a path on this machine, a URL with
        // credentials in it) is nobody's business.
        description: `Generated from the WSDL of ${wsdlServices} by Manifold soap-proxy.`,
      },
      servers: [{ url: serverUrl }],
      paths,
      components: { schemas: { Problem: PROBLEM_SCHEMA, ...components } },
    },
  };
}

/** Simple top-level inputs as query parameters (GET is offered only for such safe operations). */
function queryParameters(input: JsonSchema): unknown[] {
  const properties = (input['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((input['required'] ?? []) as string[]);
  return Object.entries(properties).map(([name, schema]) => ({
    name,
    in: 'query',
    required: required.has(name),
    schema,
  }));
}

/** Whether every input property is a scalar or a list of scalars: what a query string can carry. */
function isScalarInput(input: JsonSchema, resolve: SchemaResolver): boolean {
  const scalar = (schema: JsonSchema) => {
    const kind = schemaKind(unwrapNullable(resolve(schema)).schema, resolve);
    return kind === 'string' || kind === 'integer' || kind === 'number' || kind === 'boolean';
  };
  return Object.values(objectProperties(input, resolve)).every((property) => {
    const resolved = unwrapNullable(resolve(property)).schema;
    return schemaKind(resolved, resolve) === 'array'
      ? scalar((resolved['items'] ?? {}) as JsonSchema)
      : scalar(property);
  });
}
