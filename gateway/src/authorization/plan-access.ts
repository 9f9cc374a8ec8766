import { createHash } from 'node:crypto';
import type { Caller } from '@manifold/platform/contracts';
import {
  getArgumentValues,
  getNamedType,
  isAbstractType,
  isCompositeType,
  isObjectType,
  isInterfaceType,
  Kind,
  parse,
  print,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
} from 'graphql';
import { ALLOW, decide, type PolicyFormula, type Verdict } from './decide.ts';
import type { AuthorizationRules } from './directives.ts';
import type { Policies } from './policies.ts';

/** Aliases the gateway adds for its own needs; stripped from every answer. Clients may not use them. */
export const HIDDEN_ALIAS_PREFIX = '_authz_';
const TYPENAME_ALIAS = `${HIDDEN_ALIAS_PREFIX}typename`;

/** Policies to evaluate on an object, and the hidden aliases holding what they inspect. */
export interface ObjectCheck {
  coordinate: string;
  formula: PolicyFormula;
  /** Hidden alias → field name, to rebuild the object the policies see. */
  inspected: ReadonlyMap<string, string>;
}

interface Entry {
  /** The response key in the client's answer. */
  key: string;
  /** `Type.field`, for error messages. */
  coordinate: string;
  /** The field's type (for null propagation and lists). */
  type: GraphQLOutputType;
  /** Applies only to objects of this type (inside a fragment). */
  typeCondition: string | undefined;
}

/** What to do to the objects of one selection set once the answer is back. */
export interface SelectionPlan {
  /** The selection set's static type (or the alias carrying the runtime one, when abstract). */
  typeName: string;
  typenameAlias?: string;
  /** Fields removed before planning: null and an error at each place they would have been. */
  denied: Entry[];
  /** Fields kept on condition of policies on this (parent) object. */
  parentChecks: (Entry & { check: ObjectCheck })[];
  /** Fields to walk into; `valueCheck` guards each object the field returns. */
  children: (Entry & { plan: SelectionPlan; valueCheck: ObjectCheck | undefined })[];
}

export interface AccessPlan {
  /** The operation to plan and execute instead of the client's. */
  document: DocumentNode;
  /** Its hash, so the query-plan cache keeps one plan per distinct rewrite. */
  queryHash: string;
  root: SelectionPlan;
}

interface Walk {
  schema: GraphQLSchema;
  rules: AuthorizationRules;
  policies: Policies;
  caller: Caller;
  variables: Readonly<Record<string, unknown>>;
  fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  changed: boolean;
}

const field = (name: string, alias?: string, selections?: readonly SelectionNode[]): FieldNode => ({
  kind: Kind.FIELD,
  name: { kind: Kind.NAME, value: name },
  ...(alias ? { alias: { kind: Kind.NAME, value: alias } } : {}),
  ...(selections ? { selectionSet: { kind: Kind.SELECTION_SET, selections } } : {}),
});

/** `@skip`/`@include` with their variables: a field left out is not refused either. */
function included(node: SelectionNode, variables: Readonly<Record<string, unknown>>): boolean {
  for (const directive of node.directives ?? []) {
    const name = directive.name.value;
    if (name !== 'skip' && name !== 'include') continue;
    const value = directive.arguments?.find((argument) => argument.name.value === 'if')?.value;
    const condition =
      value?.kind === Kind.BOOLEAN
        ? value.value
        : value?.kind === Kind.VARIABLE
          ? variables[value.name.value] === true
          : false;
    if (name === 'skip' ? condition : !condition) return false;
  }
  return true;
}

/** The fields a set of policies inspects, as hidden selections. */
function inspections(
  formula: PolicyFormula,
  policies: Policies,
): { selections: FieldNode[]; inspected: Map<string, string> } {
  const selections: FieldNode[] = [];
  const inspected = new Map<string, string>();
  const names = new Set(formula.flat(2));
  for (const name of names) {
    const text = policies[name]?.inspects;
    if (!text) continue;
    const operation = parse(`{ ${text} }`).definitions[0] as OperationDefinitionNode;
    for (const selection of operation.selectionSet.selections) {
      if (selection.kind !== Kind.FIELD) continue;
      const alias = `${HIDDEN_ALIAS_PREFIX}${selection.name.value}`;
      if (inspected.has(alias)) continue;
      inspected.set(alias, selection.name.value);
      selections.push({ ...selection, alias: { kind: Kind.NAME, value: alias } });
    }
  }
  return { selections, inspected };
}

const emptyPlan = (typeName: string): SelectionPlan => ({
  typeName,
  denied: [],
  parentChecks: [],
  children: [],
});

const planIsEmpty = (plan: SelectionPlan) =>
  plan.denied.length === 0 && plan.parentChecks.length === 0 && plan.children.length === 0;

function verdictAt(
  walk: Walk,
  requirement: Parameters<typeof decide>[0] | undefined,
  args: () => Readonly<Record<string, unknown>>,
): Verdict {
  if (!requirement) return ALLOW;
  return decide(
    requirement,
    walk.caller,
    requirement.policies.length > 0 ? args() : {},
    walk.policies,
  );
}

function planSelections(
  walk: Walk,
  selections: readonly SelectionNode[],
  parentType: GraphQLCompositeType,
  typeCondition: string | undefined,
  plan: SelectionPlan,
): SelectionNode[] {
  const out: SelectionNode[] = [];
  const injected = new Set<string>();
  const inject = (nodes: readonly FieldNode[]) => {
    for (const node of nodes) {
      const alias = node.alias?.value ?? node.name.value;
      if (injected.has(alias)) continue;
      injected.add(alias);
      out.push(node);
    }
  };
  for (const selection of selections) {
    if (!included(selection, walk.variables)) {
      out.push(selection);
      continue;
    }
    if (selection.kind === Kind.FRAGMENT_SPREAD || selection.kind === Kind.INLINE_FRAGMENT) {
      const fragment =
        selection.kind === Kind.FRAGMENT_SPREAD
          ? walk.fragments.get(selection.name.value)
          : selection;
      if (!fragment) continue;
      const conditionName = fragment.typeCondition?.name.value;
      const conditionType = conditionName ? walk.schema.getType(conditionName) : parentType;
      if (!conditionType || !isCompositeType(conditionType)) continue;
      const inner = planSelections(
        walk,
        fragment.selectionSet.selections,
        conditionType,
        conditionName ?? typeCondition,
        plan,
      );
      if (selection.kind === Kind.FRAGMENT_SPREAD) walk.changed = true;
      out.push({
        kind: Kind.INLINE_FRAGMENT,
        ...(fragment.typeCondition ? { typeCondition: fragment.typeCondition } : {}),
        ...(selection.directives ? { directives: selection.directives } : {}),
        selectionSet: {
          kind: Kind.SELECTION_SET,
          selections: inner.length > 0 ? inner : [field('__typename', TYPENAME_ALIAS)],
        },
      });
      continue;
    }
    const name = selection.name.value;
    const definition =
      isObjectType(parentType) || isInterfaceType(parentType)
        ? parentType.getFields()[name]
        : undefined;
    if (!definition) {
      out.push(selection); // __typename, introspection
      continue;
    }
    const key = selection.alias?.value ?? name;
    const coordinate = `${parentType.name}.${name}`;
    const namedType = getNamedType(definition.type);
    let args: Readonly<Record<string, unknown>> | undefined;
    const argumentsOf = () => {
      try {
        args ??= getArgumentValues(definition, selection, walk.variables);
      } catch {
        args = {}; // bad arguments: the gateway reports them; the policy sees none
      }
      return args;
    };
    const own = verdictAt(walk, walk.rules.fields.get(coordinate), argumentsOf);
    const ofType = verdictAt(walk, walk.rules.types.get(namedType.name), argumentsOf);
    const entry: Entry = { key, coordinate, type: definition.type, typeCondition };
    if (own.kind === 'deny' || ofType.kind === 'deny') {
      plan.denied.push(entry);
      walk.changed = true;
      continue;
    }
    if (own.kind === 'inspect') {
      const { selections: hidden, inspected } = inspections(own.formula, walk.policies);
      plan.parentChecks.push({ ...entry, check: { coordinate, formula: own.formula, inspected } });
      inject(hidden);
      walk.changed = true;
    }
    if (!selection.selectionSet || !isCompositeType(namedType)) {
      out.push(selection);
      continue;
    }
    const childPlan = emptyPlan(namedType.name);
    const childSelections = planSelections(
      walk,
      selection.selectionSet.selections,
      namedType,
      undefined,
      childPlan,
    );
    let valueCheck: ObjectCheck | undefined;
    if (ofType.kind === 'inspect') {
      const { selections: hidden, inspected } = inspections(ofType.formula, walk.policies);
      valueCheck = { coordinate: namedType.name, formula: ofType.formula, inspected };
      childSelections.push(...hidden);
      walk.changed = true;
    }
    if (isAbstractType(namedType) && !planIsEmpty(childPlan)) {
      childPlan.typenameAlias = TYPENAME_ALIAS;
      childSelections.push(field('__typename', TYPENAME_ALIAS));
    }
    if (childSelections.length === 0) childSelections.push(field('__typename', TYPENAME_ALIAS));
    if (!planIsEmpty(childPlan) || valueCheck)
      plan.children.push({ ...entry, plan: childPlan, valueCheck });
    out.push({
      ...selection,
      selectionSet: { kind: Kind.SELECTION_SET, selections: childSelections },
    });
  }
  return out;
}

export interface PlanAccessInput {
  /** The API schema the operation was validated against. */
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  variables: Readonly<Record<string, unknown>>;
  caller: Caller;
  rules: AuthorizationRules;
  policies: Policies;
}

/**
 * Rewrites an operation for one caller before it is planned: fields the caller may not see are
 * removed (they come back null with an error), fields that depend on data get what their
 * policies inspect under hidden aliases. Undefined when the operation needs no change.
 */
export function planAccess({
  schema,
  document,
  operation,
  variables,
  caller,
  rules,
  policies,
}: PlanAccessInput): AccessPlan | undefined {
  const rootType = schema.getRootType(operation.operation);
  if (!rootType) return undefined;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition);
  const walk: Walk = { schema, rules, policies, caller, variables, fragments, changed: false };
  const root = emptyPlan(rootType.name);
  const selections = planSelections(
    walk,
    operation.selectionSet.selections,
    rootType,
    undefined,
    root,
  );
  if (!walk.changed) return undefined;
  const rewritten: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [
      {
        ...operation,
        selectionSet: {
          kind: Kind.SELECTION_SET,
          selections: selections.length > 0 ? selections : [field('__typename', TYPENAME_ALIAS)],
        },
      },
      // Kept for spreads under @skip/@include, which are passed through as they are.
      ...fragments.values(),
    ],
  };
  return {
    document: rewritten,
    queryHash: createHash('sha256').update(print(rewritten)).digest('hex'),
    root,
  };
}
