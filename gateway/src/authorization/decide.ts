import type { Caller } from '@manifold/platform/contracts';
import type { AccessRequirement } from './directives.ts';
import type { Policies } from './policies.ts';

/** Policies still to evaluate on data: every entry must hold; an entry holds when one of its lists all allow. */
export type PolicyFormula = readonly (readonly (readonly string[])[])[];

export type Verdict =
  | { readonly kind: 'allow' }
  | { readonly kind: 'deny' }
  | { readonly kind: 'inspect'; readonly formula: PolicyFormula };

export const ALLOW: Verdict = { kind: 'allow' };
const DENY: Verdict = { kind: 'deny' };

/**
 * What the caller may do at one coordinate, before any data is fetched: allowed, refused, or
 * allowed if policies that need the object agree. An unknown policy name refuses (fail closed).
 */
export function decide(
  requirement: AccessRequirement,
  caller: Caller,
  args: Readonly<Record<string, unknown>>,
  policies: Policies,
): Verdict {
  if (requirement.authenticated && caller.method === 'anonymous') return DENY;
  for (const alternatives of requirement.scopes)
    if (!alternatives.some((all) => all.every((scope) => caller.scopes.has(scope)))) return DENY;
  const formula: (readonly (readonly string[])[])[] = [];
  for (const alternatives of requirement.policies) {
    const pending: string[][] = [];
    let satisfied = false;
    for (const all of alternatives) {
      const inspect: string[] = [];
      let refused = false;
      for (const name of all) {
        const answer = policies[name]?.decide({ caller, args }) ?? false;
        if (answer === false) refused = true;
        else if (answer === 'inspect') inspect.push(name);
      }
      if (refused) continue;
      if (inspect.length === 0) {
        satisfied = true;
        break;
      }
      pending.push(inspect);
    }
    if (satisfied) continue;
    if (pending.length === 0) return DENY;
    formula.push(pending);
  }
  return formula.length === 0 ? ALLOW : { kind: 'inspect', formula };
}

/** Whether the policies left for the data allow, given the inspected object. */
export function allows(
  formula: PolicyFormula,
  caller: Caller,
  object: Readonly<Record<string, unknown>>,
  policies: Policies,
): boolean {
  return formula.every((alternatives) =>
    alternatives.some((all) =>
      all.every((name) => policies[name]?.allows?.(caller, object) ?? false),
    ),
  );
}
