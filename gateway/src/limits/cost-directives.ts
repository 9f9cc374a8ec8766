import {
  Kind,
  parse,
  type ConstDirectiveNode,
  type ConstValueNode,
  type DefinitionNode,
  type DocumentNode,
  type EnumTypeDefinitionNode,
  type InterfaceTypeDefinitionNode,
  type InterfaceTypeExtensionNode,
  type ObjectTypeDefinitionNode,
  type ObjectTypeExtensionNode,
  type ScalarTypeDefinitionNode,
} from 'graphql';

/** `@listSize` on a field: how many items it returns, as the subgraph that owns it declared. */
export interface ListSize {
  /** Items assumed when no slicing argument is given. */
  assumedSize?: number;
  /** Arguments whose value is the list's size (`first`, `last`, `limit`). */
  slicingArguments: readonly string[];
  /** For a connection: the child fields the size applies to (`edges`, `nodes`). */
  sizedFields: readonly string[];
}

/** The supergraph's Federation demand-control directives, keyed by schema coordinate. */
export interface CostDirectives {
  /** `@cost` on an object, scalar or enum type: `Type`. */
  types: ReadonlyMap<string, number>;
  /** `@cost` on a field: `Type.field`. */
  fields: ReadonlyMap<string, number>;
  /** `@cost` on an argument: `Type.field(argument:)`. */
  arguments: ReadonlyMap<string, number>;
  /** `@listSize` on a field: `Type.field`. */
  listSizes: ReadonlyMap<string, ListSize>;
}

const COST_SPEC = /^https:\/\/specs\.apollo\.dev\/cost\/v\d+\.\d+$/;

/**
 * Reads `@cost` and `@listSize` (https://specs.apollo.dev/cost) from any supergraph, under the
 * names its `@link` gives them (imported as is, renamed with `as`, or namespaced `cost__listSize`).
 * A supergraph without them yields empty maps: the defaults then price every operation.
 */
export function readCostDirectives(supergraphSdl: string | DocumentNode): CostDirectives {
  const document = typeof supergraphSdl === 'string' ? parse(supergraphSdl) : supergraphSdl;
  const names = directiveNames(document);
  const types = new Map<string, number>();
  const fields = new Map<string, number>();
  const argumentCosts = new Map<string, number>();
  const listSizes = new Map<string, ListSize>();
  const weightOf = (directives: readonly ConstDirectiveNode[] | undefined) => {
    const weight = directives
      ?.find((directive) => directive.name.value === names.cost)
      ?.arguments?.find((argument) => argument.name.value === 'weight')?.value;
    return weight?.kind === Kind.INT ? Number(weight.value) : undefined;
  };

  for (const definition of document.definitions) {
    if (!isPricedType(definition)) continue;
    const typeName = definition.name.value;
    const typeWeight = weightOf(definition.directives);
    if (typeWeight !== undefined) types.set(typeName, typeWeight);
    if (!('fields' in definition)) continue;
    for (const field of definition.fields ?? []) {
      const coordinate = `${typeName}.${field.name.value}`;
      const fieldWeight = weightOf(field.directives);
      if (fieldWeight !== undefined) fields.set(coordinate, fieldWeight);
      for (const argument of field.arguments ?? []) {
        const argumentWeight = weightOf(argument.directives);
        if (argumentWeight !== undefined)
          argumentCosts.set(`${coordinate}(${argument.name.value}:)`, argumentWeight);
      }
      const listSize = field.directives?.find((directive) => directive.name.value === names.list);
      if (listSize) listSizes.set(coordinate, readListSize(listSize));
    }
  }
  return { types, fields, arguments: argumentCosts, listSizes };
}

function readListSize(directive: ConstDirectiveNode): ListSize {
  const argument = (name: string) =>
    directive.arguments?.find((candidate) => candidate.name.value === name)?.value;
  const assumed = argument('assumedSize');
  return {
    ...(assumed?.kind === Kind.INT ? { assumedSize: Number(assumed.value) } : {}),
    slicingArguments: strings(argument('slicingArguments')),
    sizedFields: strings(argument('sizedFields')),
  };
}

const strings = (value: ConstValueNode | undefined): string[] =>
  value?.kind === Kind.LIST
    ? value.values.flatMap((item) => (item.kind === Kind.STRING ? [item.value] : []))
    : value?.kind === Kind.STRING
      ? [value.value]
      : [];

/** The definitions `@cost` and `@listSize` can sit on (or on whose fields and arguments). */
type PricedType =
  | ObjectTypeDefinitionNode
  | ObjectTypeExtensionNode
  | InterfaceTypeDefinitionNode
  | InterfaceTypeExtensionNode
  | ScalarTypeDefinitionNode
  | EnumTypeDefinitionNode;

const PRICED_KINDS: ReadonlySet<string> = new Set([
  Kind.OBJECT_TYPE_DEFINITION,
  Kind.OBJECT_TYPE_EXTENSION,
  Kind.INTERFACE_TYPE_DEFINITION,
  Kind.INTERFACE_TYPE_EXTENSION,
  Kind.SCALAR_TYPE_DEFINITION,
  Kind.ENUM_TYPE_DEFINITION,
]);

const isPricedType = (definition: DefinitionNode): definition is PricedType =>
  PRICED_KINDS.has(definition.kind);

/** The names the supergraph's `@link` to the cost spec gives `@cost` and `@listSize`. */
function directiveNames(document: DocumentNode): { cost: string; list: string } {
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION)
      continue;
    for (const link of definition.directives ?? []) {
      if (link.name.value !== 'link') continue;
      const argument = (name: string) =>
        link.arguments?.find((candidate) => candidate.name.value === name)?.value;
      const url = argument('url');
      if (url?.kind !== Kind.STRING || !COST_SPEC.test(url.value)) continue;
      const as = argument('as');
      const prefix = as?.kind === Kind.STRING ? as.value : 'cost';
      const imported = importedNames(argument('import'));
      return {
        // The link spec's rule: the directive named like the spec is the spec's own name (`@cost`,
        // or `@<as>`), without a `prefix__`.
        cost: imported.get('@cost') ?? prefix,
        list: imported.get('@listSize') ?? `${prefix}__listSize`,
      };
    }
  }
  // No link (a hand-written schema): the directives' own names.
  return { cost: 'cost', list: 'listSize' };
}

/** `import: ["@cost", { name: "@listSize", as: "@size" }]` → @cost → cost, @listSize → size. */
function importedNames(value: ConstValueNode | undefined): Map<string, string> {
  const names = new Map<string, string>();
  if (value?.kind !== Kind.LIST) return names;
  for (const item of value.values) {
    if (item.kind === Kind.STRING) names.set(item.value, item.value.replace(/^@/, ''));
    if (item.kind !== Kind.OBJECT) continue;
    const field = (name: string) => item.fields.find((entry) => entry.name.value === name)?.value;
    const name = field('name');
    const as = field('as');
    if (name?.kind === Kind.STRING)
      names.set(name.value, (as?.kind === Kind.STRING ? as.value : name.value).replace(/^@/, ''));
  }
  return names;
}
