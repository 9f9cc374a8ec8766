import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import type { CostDirectives, ListSize } from './cost-directives.ts';

export interface CostInput {
  /** The schema clients query (the supergraph's API schema). */
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  /** The request's variables, for slicing arguments given as `$first`. */
  variables: Readonly<Record<string, unknown>>;
  directives: CostDirectives;
  /** Items of a list that neither a slicing argument nor `@listSize(assumedSize:)` sizes. */
  assumedListSize: number;
}

/** What a field costs when `@cost` does not say: Apollo Router's defaults. */
const MUTATION_FIELD_COST = 10;
const COMPOSITE_COST = 1;
const LEAF_COST = 0;

/** A connection's size, handed to the child fields `@listSize(sizedFields:)` names. */
interface SizedFields {
  names: readonly string[];
  size: number;
}

/**
 * The static cost of an operation, as Federation demand control (Apollo Router's
 * `static_estimated` strategy, after the IBM GraphQL cost specification) defines it: each field
 * costs its `@cost` weight (default: 1 for an object, interface or union, 0 for a scalar or enum,
 * 10 for a mutation field) plus what its selections cost, times the number of items when it is a
 * list — the slicing argument's value (`first: 100`), else `@listSize(assumedSize:)`, else the
 * assumed list size; `@listSize(sizedFields:)` hands a connection's size to its `edges`.
 * Arguments with `@cost` add their weight when given. The operation is assumed valid (Apollo
 * validated it); unknown fields cost nothing.
 */
export function operationCost({
  schema,
  document,
  operation,
  variables,
  directives,
  assumedListSize,
}: CostInput): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition);
  const defaults = new Map<string, ValueNode>();
  for (const variable of operation.variableDefinitions ?? [])
    if (variable.defaultValue) defaults.set(variable.variable.name.value, variable.defaultValue);
  const mutationType = schema.getMutationType();

  const intValue = (node: ValueNode | undefined): number | undefined => {
    if (node?.kind === Kind.INT) return Number(node.value);
    if (node?.kind !== Kind.VARIABLE) return undefined;
    const value = variables[node.name.value];
    if (typeof value === 'number') return value;
    return value === undefined ? intValue(defaults.get(node.name.value)) : undefined;
  };

  const listSizeOf = (
    field: GraphQLField<unknown, unknown>,
    node: FieldNode,
    listSize: ListSize | undefined,
  ): number => {
    const sliced = (listSize?.slicingArguments ?? []).flatMap((name) => {
      const given = intValue(
        node.arguments?.find((argument) => argument.name.value === name)?.value,
      );
      const fallback = field.args.find((argument) => argument.name === name)?.defaultValue;
      const size = given ?? (typeof fallback === 'number' ? fallback : undefined);
      return size === undefined ? [] : [Math.max(0, size)];
    });
    if (sliced.length > 0) return Math.max(...sliced);
    return listSize?.assumedSize ?? assumedListSize;
  };

  const fieldCost = (
    parent: GraphQLCompositeType,
    node: FieldNode,
    sizedBy: SizedFields | undefined,
    visiting: ReadonlySet<string>,
  ): number => {
    if (node.name.value.startsWith('__')) return LEAF_COST;
    const field =
      isObjectType(parent) || isInterfaceType(parent)
        ? parent.getFields()[node.name.value]
        : undefined;
    if (!field) return LEAF_COST;
    const coordinate = `${parent.name}.${field.name}`;
    const type = getNamedType(field.type);
    const ownWeight =
      directives.fields.get(coordinate) ??
      (parent === mutationType ? MUTATION_FIELD_COST : undefined) ??
      directives.types.get(type.name) ??
      (isCompositeType(type) ? COMPOSITE_COST : LEAF_COST);
    let argumentsCost = 0;
    for (const argument of node.arguments ?? [])
      argumentsCost += directives.arguments.get(`${coordinate}(${argument.name.value}:)`) ?? 0;
    const listSize = directives.listSizes.get(coordinate);
    const size = listSizeOf(field, node, listSize);
    const childrenSizedBy =
      listSize && listSize.sizedFields.length > 0
        ? { names: listSize.sizedFields, size }
        : undefined;
    const childrenCost =
      node.selectionSet && isCompositeType(type)
        ? selectionsCost(type, node.selectionSet, childrenSizedBy, visiting)
        : 0;
    const items = sizedBy?.names.includes(field.name)
      ? sizedBy.size
      : isListType(getNullableType(field.type)) && !childrenSizedBy
        ? size
        : 1;
    return items * (ownWeight + childrenCost) + argumentsCost;
  };

  const selectionsCost = (
    parent: GraphQLCompositeType,
    selectionSet: SelectionSetNode,
    sizedBy: SizedFields | undefined,
    visiting: ReadonlySet<string>,
  ): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        total += fieldCost(parent, selection, sizedBy, visiting);
        continue;
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition
          ? schema.getType(selection.typeCondition.name.value)
          : parent;
        if (type && isCompositeType(type))
          total += selectionsCost(type, selection.selectionSet, sizedBy, visiting);
        continue;
      }
      total += spreadCost(selection.name.value, sizedBy, visiting);
    }
    return total;
  };

  // A fragment costs the same wherever it is spread with the same connection size: priced once,
  // so fragments spreading fragments cost linear time however large their expansion.
  const spreadCosts = new Map<string, number>();
  const spreadCost = (
    name: string,
    sizedBy: SizedFields | undefined,
    visiting: ReadonlySet<string>,
  ): number => {
    const key = sizedBy ? `${name}|${sizedBy.names.join(',')}|${sizedBy.size}` : name;
    const known = spreadCosts.get(key);
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    // A cycle cannot pass validation; never follow one.
    if (!fragment || visiting.has(name)) return 0;
    const type = schema.getType(fragment.typeCondition.name.value);
    const cost =
      type && isCompositeType(type)
        ? selectionsCost(type, fragment.selectionSet, sizedBy, new Set([...visiting, name]))
        : 0;
    spreadCosts.set(key, cost);
    return cost;
  };

  const root = schema.getRootType(operation.operation);
  return root ? selectionsCost(root, operation.selectionSet, undefined, new Set()) : 0;
}
