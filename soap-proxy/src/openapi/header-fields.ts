import type { JsonSchema, JsonSchemaBuilder } from '../wsdl/json-schema.ts';
import type { HeaderModel } from '../wsdl/model.ts';

/**
 * A SOAP header as the REST API carries it: an HTTP header `SOAP-Header-<name>` whose value is the
 * header's JSON (so `"abc"` for a text header), on requests and on answers alike. HTTP headers,
 * not a field of the JSON body: the body is the SOAP Body's content, where any name may be taken.
 */
export interface HeaderField {
  /** The SOAP header's name (its element's local name). */
  name: string;
  /** `SOAP-Header-<name>`. */
  httpName: string;
  header: HeaderModel;
  /** The JSON of its value. */
  schema: JsonSchema;
}

/** The HTTP header that carries SOAP header `name` (characters HTTP names cannot hold become `_`). */
export const httpHeaderName = (name: string) =>
  `SOAP-Header-${name.replace(/[^!#$%&'*+.^`|~\w-]/g, '_')}`;

export function headerField(
  builder: JsonSchemaBuilder,
  header: HeaderModel,
  where: string,
): HeaderField {
  const { part } = header;
  const schema = part.element
    ? builder.elementContent(part.element, `header of ${where}`)
    : part.type
      ? builder.typeRef(part.type, `header of ${where}`)
      : {};
  return { name: header.name, httpName: httpHeaderName(header.name), header, schema };
}

const described = ({ name, schema }: HeaderField) => ({
  description: `SOAP header ${name}, as JSON`,
  content: { 'application/json': { schema } },
});

/** As an OpenAPI request parameter. */
export const headerParameter = (field: HeaderField) => ({
  name: field.httpName,
  in: 'header',
  required: field.header.required,
  ...described(field),
});

/** As an OpenAPI response header. */
export const responseHeader = (field: HeaderField) => described(field);
