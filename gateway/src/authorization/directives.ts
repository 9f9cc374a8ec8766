import {
  Kind,
  parse,
  print,
  type ConstDirectiveNode,
  type ConstValueNode,
  type DefinitionNode,
  type DocumentNode,
} from 'graphql';

/**
 * The Federation authorization directives (`@authenticated`, `@requiresScopes`, `@policy`) as
 * composed into a supergraph: which fields and types need what. `@apollo/gateway` composes but
 * does not enforce them; the authorization plugin does, from these rules.
 */
const FEATURES = {
  authenticated: 'https://specs.apollo.dev/authenticated/',
  requiresScopes: 'https://specs.apollo.dev/requiresScopes/',
  policy: 'https://specs.apollo.dev/policy/',
} as const;

/** One coordinate's requirements; every entry must hold (directives add up). */
export interface AccessRequirement {
  authenticated: boolean;
  /** Per directive: any one of the inner lists, all of whose scopes the caller holds. */
  scopes: readonly (readonly (readonly string[])[])[];
  /** Per directive: any one of the inner lists, all of whose policies allow. */
  policies: readonly (readonly (readonly string[])[])[];
}

export interface AuthorizationRules {
  /** By `Type.field`. */
  fields: ReadonlyMap<string, AccessRequirement>;
  /** By type name: applies to every field returning the type. */
  types: ReadonlyMap<string, AccessRequirement>;
  /** Every policy name the supergraph uses. */
  policyNames: ReadonlySet<string>;
}

function stringArgument(directive: ConstDirectiveNode, name: string): string | undefined {
  const value = directive.arguments?.find((argument) => argument.name.value === name)?.value;
  return value?.kind === Kind.STRING ? value.value : undefined;
}

function nestedStrings(value: ConstValueNode | undefined): string[][] {
  if (value?.kind !== Kind.LIST) return [];
  return value.values.map((inner) =>
    inner.kind === Kind.LIST
      ? inner.values.flatMap((item) => (item.kind === Kind.STRING ? [item.value] : []))
      : [],
  );
}

/** The names the supergraph gives the three directives (`@link(url, as)`), by feature. */
function directiveNames(document: DocumentNode): Map<string, keyof typeof FEATURES> {
  const names = new Map<string, keyof typeof FEATURES>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION)
      continue;
    for (const directive of definition.directives ?? []) {
      if (directive.name.value !== 'link') continue;
      const url = stringArgument(directive, 'url') ?? '';
      for (const [feature, prefix] of Object.entries(FEATURES) as [keyof typeof FEATURES, string][])
        if (url.startsWith(prefix)) names.set(stringArgument(directive, 'as') ?? feature, feature);
    }
  }
  return names;
}

function requirementOf(
  directives: readonly ConstDirectiveNode[] | undefined,
  names: ReadonlyMap<string, keyof typeof FEATURES>,
  policyNames: Set<string>,
): AccessRequirement | undefined {
  let found = false;
  const requirement = {
    authenticated: false,
    scopes: [] as string[][][],
    policies: [] as string[][][],
  };
  for (const directive of directives ?? []) {
    const feature = names.get(directive.name.value);
    if (feature === undefined) continue;
    found = true;
    const argument = (name: string) =>
      directive.arguments?.find((candidate) => candidate.name.value === name)?.value;
    switch (feature) {
      case 'authenticated':
        requirement.authenticated = true;
        break;
      case 'requiresScopes':
        requirement.scopes.push(nestedStrings(argument('scopes')));
        break;
      case 'policy': {
        const policies = nestedStrings(argument('policies'));
        for (const name of policies.flat()) policyNames.add(name);
        requirement.policies.push(policies);
        break;
      }
      default: {
        const unreachable: never = feature;
        throw new Error(`unknown authorization feature ${String(unreachable)}`);
      }
    }
  }
  return found ? requirement : undefined;
}

export function readAuthorizationRules(supergraphSdl: string): AuthorizationRules {
  const document = parse(supergraphSdl);
  const names = directiveNames(document);
  const fields = new Map<string, AccessRequirement>();
  const types = new Map<string, AccessRequirement>();
  const policyNames = new Set<string>();
  if (names.size === 0) return { fields, types, policyNames };
  for (const definition of document.definitions) {
    if (
      definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      definition.kind !== Kind.INTERFACE_TYPE_DEFINITION &&
      definition.kind !== Kind.SCALAR_TYPE_DEFINITION &&
      definition.kind !== Kind.ENUM_TYPE_DEFINITION
    )
      continue;
    const typeName = definition.name.value;
    const typeRequirement = requirementOf(definition.directives, names, policyNames);
    if (typeRequirement) types.set(typeName, typeRequirement);
    if (
      definition.kind === Kind.SCALAR_TYPE_DEFINITION ||
      definition.kind === Kind.ENUM_TYPE_DEFINITION
    )
      continue;
    for (const field of definition.fields ?? []) {
      const requirement = requirementOf(field.directives, names, policyNames);
      if (requirement) fields.set(`${typeName}.${field.name.value}`, requirement);
    }
  }
  return { fields, types, policyNames };
}

/**
 * The supergraph as `@apollo/gateway` will load it. The gateway refuses a supergraph linking a
 * `for: SECURITY` feature it does not implement — rightly: serving one would ignore its rules.
 * The authorization plugin implements these three, so, with it installed (and only then), their
 * links lose the `for: SECURITY` purpose and the gateway loads the supergraph.
 */
export function supergraphForEnforcedAuthorization(supergraphSdl: string): string {
  const document = parse(supergraphSdl);
  let changed = false as boolean;
  const definitions = document.definitions.map((definition): DefinitionNode => {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION)
      return definition;
    const directives = (definition.directives ?? []).map((directive) => {
      const url = directive.name.value === 'link' ? stringArgument(directive, 'url') : undefined;
      if (!url || !Object.values(FEATURES).some((prefix) => url.startsWith(prefix)))
        return directive;
      changed = true;
      return {
        ...directive,
        arguments: (directive.arguments ?? []).filter((argument) => argument.name.value !== 'for'),
      };
    });
    return { ...definition, directives };
  });
  return changed ? print({ ...document, definitions }) : supergraphSdl;
}
