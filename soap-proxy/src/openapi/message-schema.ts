import { createResolver, schemaKind } from '../mapping/schema-walk.ts';
import type { JsonSchemaBuilder, JsonSchema } from '../wsdl/json-schema.ts';
import type { MessageModel, OperationModel } from '../wsdl/model.ts';

/** A message's JSON, and whether it is the content of its one element (the "wrapped" style). */
export interface MessageSchema {
  schema: JsonSchema;
  wrapped: boolean;
}

/**
 * The JSON a message is exchanged as. document/literal with one element part whose content is an
 * object (the common "wrapped" style): that content, so `{ "intA": 1 }` rather than
 * `{ "Add": { "intA": 1 } }`. Several parts, rpc style, or one element of a simple type (a JSON
 * body is an object): one property per part.
 */
export function messageSchema(
  builder: JsonSchemaBuilder,
  message: MessageModel | undefined,
  operation: OperationModel,
): MessageSchema {
  const where = `operation ${operation.name}`;
  if (!message || message.parts.length === 0)
    return {
      schema: { type: 'object', properties: {}, additionalProperties: false },
      wrapped: false,
    };
  const [only] = message.parts;
  if (operation.style === 'document' && message.parts.length === 1 && only?.element) {
    const content = builder.elementContent(only.element, where);
    if (schemaKind(content, createResolver(builder.components)) === 'object')
      return { schema: content, wrapped: true };
  }
  const properties: Record<string, JsonSchema> = {};
  for (const part of message.parts) {
    if (part.element) properties[part.name] = builder.elementContent(part.element, where);
    else if (part.type) properties[part.name] = builder.typeRef(part.type, where);
    else properties[part.name] = {};
  }
  const schema: JsonSchema = {
    type: 'object',
    properties,
    required: message.parts.map((part) => part.name),
    additionalProperties: false,
  };
  return { schema, wrapped: false };
}

/**
 * The JSON of a SOAP fault's detail when the operation declares `wsdl:fault`s: one property per
 * declared detail element (by its name, as the detail carries it), or undefined when none is declared.
 */
export function faultDetailSchema(
  builder: JsonSchemaBuilder,
  operation: OperationModel,
): JsonSchema | undefined {
  const where = `fault of operation ${operation.name}`;
  const properties: Record<string, JsonSchema> = {};
  for (const part of operation.faults.flatMap((fault) => fault.parts)) {
    if (part.element) properties[part.element.name] = builder.elementContent(part.element, where);
    else if (part.type) properties[part.name] = builder.typeRef(part.type, where);
  }
  return Object.keys(properties).length === 0 ? undefined : { type: 'object', properties };
}
