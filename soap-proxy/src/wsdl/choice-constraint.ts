import type { Occurrence, Property } from './content-model.ts';
import type { JsonSchema } from './xsd-builtins.ts';

/** A property no longer required; an absent array is then `[]` (normalise), so no minItems either. */
export function withoutFloor(property: Property): Property {
  const { minItems: _minItems, ...schema } = property.schema;
  return {
    ...property,
    schema: property.schema['type'] === 'array' ? schema : property.schema,
    required: false,
  };
}

/** A property counts as present when it is there and, for a repeated element, not empty. */
function present(property: Property): JsonSchema {
  if (property.schema['type'] !== 'array') return { required: [property.name] };
  const minItems = Math.max(1, Number(property.schema['minItems'] ?? 1));
  return { required: [property.name], properties: { [property.name]: { minItems } } };
}

/** A branch is taken when what it demands is present (or, demanding nothing, when any of it is). */
function taken(branch: Property[]): { schema: JsonSchema; names: string[] } {
  const demanded = branch.filter((property) => property.required);
  if (demanded.length === 0) {
    const signs = branch.map(present);
    return {
      schema: signs.length === 1 && signs[0] ? signs[0] : { anyOf: signs },
      names: branch.map((property) => property.name),
    };
  }
  const names = demanded.map((property) => property.name);
  const arrays = Object.assign(
    {},
    ...demanded.map((property) => present(property)['properties'] ?? {}),
  ) as JsonSchema;
  return {
    schema: { required: names, ...(Object.keys(arrays).length > 0 ? { properties: arrays } : {}) },
    names,
  };
}

/**
 * How many branches of an xsd:choice may be taken: exactly one (required), at most one (optional),
 * at least one (repeating and required). Branches are told apart by the properties they demand.
 */
export function choiceConstraint(
  branches: Property[][],
  { required, repeats }: Occurrence,
): JsonSchema | undefined {
  // A branch without properties (empty, or only xsd:any) can be taken unseen: nothing to count.
  if (branches.length === 0 || branches.some((branch) => branch.length === 0)) return undefined;
  const signatures = branches.map(taken);
  // A branch whose demands include another's cannot be told apart from it: no constraint then.
  const ambiguous = signatures.some((a, i) =>
    signatures.some((b, j) => i !== j && a.names.every((name) => b.names.includes(name))),
  );
  if (ambiguous) return undefined;
  const everyBranchDemands = branches.every((branch) => branch.some((p) => p.required));
  const schemas = signatures.map((signature) => signature.schema);
  if (repeats > 1) return required && everyBranchDemands ? { anyOf: schemas } : undefined;
  if (required && everyBranchDemands) return { oneOf: schemas };
  const none = { not: { anyOf: branches.flat().map(present) } };
  return { oneOf: [none, ...schemas] };
}
