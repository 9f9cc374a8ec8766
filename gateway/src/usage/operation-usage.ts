import { createHash } from 'node:crypto';
import {
  calculateReferencedFieldsByType,
  usageReportingSignature,
} from '@apollo/utils.usagereporting';
import {
  getNamedType,
  separateOperations,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';

/** What one operation uses of the schema, as the registry's usage ingest takes it (registry/CONTRACT.md). */
export interface OperationUsage {
  /** The operation's name; null for an anonymous one. */
  name: string | null;
  /** Apollo's usage signature: literals stripped, aliases removed, sorted — one per operation shape. */
  signature: string;
  /** sha256 (hex) of the signature. */
  hash: string;
  /**
   * Schema coordinates: `Type.field` for every field selected (on the type it is selected on),
   * `Type.field(arg:)` for every argument passed, `Input.field` for every input object field written.
   */
  coordinates: readonly string[];
}

/**
 * The usage of the operation `operationName` of `document` (already validated against `schema`).
 * Signature and referenced fields come from `@apollo/utils.usagereporting`, as Apollo's own usage
 * reporting computes them; arguments and input fields are added from the same walk of the
 * operation (and the fragments it spreads) with graphql-js's TypeInfo.
 */
export function operationUsage(
  document: DocumentNode,
  operationName: string | null,
  schema: GraphQLSchema,
): OperationUsage {
  const signature = usageReportingSignature(document, operationName ?? '');
  const coordinates = new Set<string>();
  const referenced = calculateReferencedFieldsByType({
    document,
    schema,
    resolvedOperationName: operationName,
  });
  for (const [typeName, { fieldNames }] of Object.entries(referenced))
    for (const fieldName of fieldNames) coordinates.add(`${typeName}.${fieldName}`);

  const operation = separateOperations(document)[operationName ?? ''];
  if (operation) {
    const typeInfo = new TypeInfo(schema);
    visit(
      operation,
      visitWithTypeInfo(typeInfo, {
        Argument(node) {
          // A directive's argument (`@include(if:)`) is not the field's.
          if (typeInfo.getDirective()) return;
          const parent = typeInfo.getParentType();
          const field = typeInfo.getFieldDef();
          if (parent && field) coordinates.add(`${parent.name}.${field.name}(${node.name.value}:)`);
        },
        ObjectField(node) {
          const parent = typeInfo.getParentInputType();
          if (parent) coordinates.add(`${getNamedType(parent).name}.${node.name.value}`);
        },
      }),
    );
  }
  return {
    name: operationName,
    signature,
    hash: createHash('sha256').update(signature).digest('hex'),
    coordinates: [...coordinates].sort(),
  };
}
