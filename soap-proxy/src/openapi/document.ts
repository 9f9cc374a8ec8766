import { JsonSchemaBuilder, type JsonSchema } from '../wsdl/json-schema.ts';
import type { WsdlModel } from '../wsdl/model.ts';
import {
  createResolver,
  objectProperties,
  schemaKind,
  unwrapNullable,
  type SchemaResolver,
} from '../mapping/schema-walk.ts';
import { faultDetailSchema, messageSchema } from './message-schema.ts';
import { restOperations, type RestOperation } from './operations.ts';

export interface OpenApiOptions {
  /** URL segment naming the service. @default the WSDL service name */
  serviceName?: string;
  /** @default '/api/v1' */
  basePath?: string;
  /** Operations answering GET as well as POST (configured `safe`). */
  safeOperations?: ReadonlySet<string>;
  /** @default '1.0.0' */
  version?: string;
  /** Prefix for component names, so several services can share one document. @default '' */
  componentPrefix?: string;
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
    faultDetail: JsonSchema | undefined;
    queryable: boolean;
  })[];
}

const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };

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
  }: OpenApiOptions = {},
): GeneratedApi {
  const builder = new JsonSchemaBuilder(model.schemas, { prefix: componentPrefix });
  const operations = restOperations(model, {
    basePath,
    ...(serviceName === undefined ? {} : { serviceName }),
  }).map((rest) => {
    const input = messageSchema(builder, rest.operation.input, rest.operation);
    return {
      ...rest,
      input,
      output: messageSchema(builder, rest.operation.output, rest.operation),
      faultDetail: faultDetailSchema(builder, rest.operation),
      queryable:
        safeOperations.has(rest.operation.name) &&
        isScalarInput(input, createResolver(builder.components)),
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
  } of operations) {
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
        operationId,
        requestBody: { required: true, content: { 'application/json': { schema: input } } },
      },
    };
    if (queryable)
      item['get'] = {
        ...base,
        operationId: `${operationId}.get`,
        parameters: queryParameters(input),
      };
    paths[path] = item;
  }

  const title = serviceName ?? model.services.map((service) => service.name).join(', ');
  return {
    operations,
    document: {
      openapi: '3.1.0',
      info: {
        title: `${title} (SOAP via Manifold soap-proxy)`,
        version,
        description: `Generated from ${model.location}`,
      },
      paths,
      components: { schemas: { Problem: PROBLEM_SCHEMA, ...builder.components } },
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
