import type { Caller } from '@manifold/platform/contracts';

/** What a policy decides from before any data is fetched. */
export interface PolicyRequest {
  caller: Caller;
  /** The field's arguments, variables applied. */
  args: Readonly<Record<string, unknown>>;
}

/**
 * A named `@policy` function. `decide` answers from the caller and the arguments alone when it
 * can (the field is then kept, or removed before planning); `'inspect'` defers to `allows`,
 * which sees the object the policy guards — the parent for a field-level directive, the value
 * for a type-level one — with the fields named in `inspects` fetched for it, hidden from the client.
 */
export interface Policy {
  decide(request: PolicyRequest): boolean | 'inspect';
  /** A GraphQL selection on the inspected object, e.g. `id` or `customer { id }`. */
  inspects?: string;
  allows?(caller: Caller, object: Readonly<Record<string, unknown>>): boolean;
}

export type Policies = Readonly<Record<string, Policy>>;

/** The caller is the object's owner (its user id is the caller's subject), or holds `scope`. */
function ownerOrScope(
  scope: string,
  inspects: string,
  ownerOf: (object: Readonly<Record<string, unknown>>) => unknown,
): Policy {
  return {
    decide: ({ caller }) =>
      caller.scopes.has(scope) ? true : caller.subject === undefined ? false : 'inspect',
    inspects,
    allows: (caller, object) => ownerOf(object) === caller.subject,
  };
}

const idOf = (value: unknown) =>
  value !== null && typeof value === 'object' ? (value as { id?: unknown }).id : undefined;

/** The policies our own subgraphs name (docs/design.md, "The graph"). */
export const MANIFOLD_POLICIES: Policies = {
  /** A User's personal data: the user themself, or `users:read`. */
  'self-or-users:read': ownerOrScope('users:read', 'id', (user) => user['id']),
  /** A User's orders: the user themself, or `orders:read`. */
  'self-or-orders:read': ownerOrScope('orders:read', 'id', (user) => user['id']),
  /** An Order: its customer, or `orders:read`. */
  'customer-or-orders:read': ownerOrScope('orders:read', 'customer { id }', (order) =>
    idOf(order['customer']),
  ),
  /** placeOrder: for the caller themself, or for anyone with `orders:admin`. */
  'own-orders-or-orders:admin': {
    decide: ({ caller, args }) => {
      if (caller.scopes.has('orders:admin')) return true;
      const input = args['input'] as { customerId?: unknown } | undefined;
      return caller.subject !== undefined && input?.customerId === caller.subject;
    },
  },
};
