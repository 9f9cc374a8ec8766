import type { Caller } from '@manifold/platform/contracts';
import {
  isAbstractType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLFormattedError,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import { allows } from './decide.ts';
import { HIDDEN_ALIAS_PREFIX, type ObjectCheck, type SelectionPlan } from './plan-access.ts';
import type { Policies } from './policies.ts';

type Path = readonly (string | number)[];
type JsonObject = Record<string, unknown>;

/** A non-null position turned null: its nearest nullable ancestor becomes null instead. */
const BUBBLE = Symbol('null bubbles up');

interface Apply {
  schema: GraphQLSchema;
  caller: Caller;
  policies: Policies;
  errors: GraphQLFormattedError[];
}

function refusal(apply: Apply, coordinate: string, path: Path): void {
  const anonymous = apply.caller.method === 'anonymous';
  apply.errors.push({
    message: anonymous
      ? `${coordinate} needs an authenticated caller`
      : `The caller may not see ${coordinate}`,
    path: [...path],
    extensions: { code: anonymous ? 'UNAUTHENTICATED' : 'FORBIDDEN' },
  });
}

function applies(apply: Apply, typeCondition: string | undefined, typeName: string): boolean {
  if (typeCondition === undefined || typeCondition === typeName) return true;
  const condition = apply.schema.getType(typeCondition);
  const type = apply.schema.getType(typeName);
  return (
    condition !== undefined &&
    isAbstractType(condition) &&
    isObjectType(type) &&
    apply.schema.isSubType(condition, type)
  );
}

/** The object a policy sees: the fields it inspects, under their own names. */
function inspectedView(object: JsonObject, check: ObjectCheck): JsonObject {
  const view: JsonObject = {};
  for (const [alias, fieldName] of check.inspected) view[fieldName] = object[alias];
  return view;
}

function walkValue(
  apply: Apply,
  value: unknown,
  type: GraphQLOutputType,
  plan: SelectionPlan,
  valueCheck: ObjectCheck | undefined,
  path: Path,
): unknown {
  if (isNonNullType(type)) {
    const inner = walkValue(apply, value, type.ofType, plan, valueCheck, path);
    return inner === null || inner === BUBBLE ? BUBBLE : inner;
  }
  if (value === null || value === undefined) return null;
  if (isListType(type)) {
    if (!Array.isArray(value)) return value;
    for (const [index, item] of value.entries()) {
      const result = walkValue(apply, item, type.ofType, plan, valueCheck, [...path, index]);
      if (result === BUBBLE) return null;
      value[index] = result;
    }
    return value;
  }
  if (typeof value !== 'object') return value;
  const object = value as JsonObject;
  if (
    valueCheck &&
    !allows(valueCheck.formula, apply.caller, inspectedView(object, valueCheck), apply.policies)
  ) {
    refusal(apply, valueCheck.coordinate, path);
    return null;
  }
  return walkObject(apply, object, plan, path);
}

/** Applies a selection plan to one object; null when a non-null field of it had to be nulled. */
function walkObject(
  apply: Apply,
  object: JsonObject,
  plan: SelectionPlan,
  path: Path,
): JsonObject | null {
  const typeName =
    plan.typenameAlias !== undefined && typeof object[plan.typenameAlias] === 'string'
      ? (object[plan.typenameAlias] as string)
      : plan.typeName;
  let nulled = false;
  for (const entry of plan.denied) {
    if (!applies(apply, entry.typeCondition, typeName)) continue;
    object[entry.key] = null;
    refusal(apply, entry.coordinate, [...path, entry.key]);
    if (isNonNullType(entry.type)) nulled = true;
  }
  const refused = new Set<string>();
  for (const entry of plan.parentChecks) {
    if (!applies(apply, entry.typeCondition, typeName)) continue;
    if (
      allows(entry.check.formula, apply.caller, inspectedView(object, entry.check), apply.policies)
    )
      continue;
    refused.add(entry.key);
    object[entry.key] = null;
    refusal(apply, entry.coordinate, [...path, entry.key]);
    if (isNonNullType(entry.type)) nulled = true;
  }
  for (const child of plan.children) {
    if (refused.has(child.key) || !applies(apply, child.typeCondition, typeName)) continue;
    const result = walkValue(apply, object[child.key], child.type, child.plan, child.valueCheck, [
      ...path,
      child.key,
    ]);
    if (result === BUBBLE) nulled = true;
    else object[child.key] = result;
  }
  for (const key of Object.keys(object))
    if (key.startsWith(HIDDEN_ALIAS_PREFIX)) Reflect.deleteProperty(object, key);
  return nulled ? null : object;
}

/**
 * Puts an answer to a rewritten operation in the shape the client asked for: null and an
 * UNAUTHENTICATED (anonymous caller) or FORBIDDEN error at every path a refused field would have
 * had, objects whose policies refuse nulled the same way, nulls propagated to the nearest
 * nullable position as GraphQL does, hidden fields removed.
 */
export function applyAccessPlan(
  data: JsonObject | null | undefined,
  root: SelectionPlan,
  { schema, caller, policies }: Omit<Apply, 'errors'>,
): { data: JsonObject | null | undefined; errors: GraphQLFormattedError[] } {
  const apply: Apply = { schema, caller, policies, errors: [] };
  if (data === null || data === undefined) return { data, errors: [] };
  return { data: walkObject(apply, data, root, []), errors: apply.errors };
}
