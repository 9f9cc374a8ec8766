import { MANIFOLD_API_AUDIENCE } from '@manifold/platform/auth';

/**
 * What the reference identity provider knows: Manifold's API (one resource, its scopes), the
 * clients that may ask for tokens, and the test users. Secrets are generated on first start
 * (data-store.ts), never written here.
 */
export const API_RESOURCE = MANIFOLD_API_AUDIENCE;

export const API_SCOPES = [
  'users:read',
  'orders:read',
  'orders:write',
  'orders:admin',
  'customers:read',
  'customers:write',
  'invoices:read',
  'loyalty:read',
  'tickets:read',
  'tickets:write',
  'supplier:read',
  'supplier:write',
  'webhooks:read',
  'webhooks:replay',
] as const;

export interface ClientDefinition {
  clientId: string;
  /** `user`: a person logs in (authorization code + PKCE); `service`: client credentials. */
  kind: 'user' | 'service';
  /** The API scopes this client may ask for. */
  scopes: readonly (typeof API_SCOPES)[number][];
}

/** Where the authorization code lands; the CLI reads it from the redirect, nothing listens there. */
export const CLI_REDIRECT_URI = 'http://127.0.0.1/callback';

export const CLIENTS: readonly ClientDefinition[] = [
  // `npm run token` and the tests: a test user logs in and gets a token for themself.
  { clientId: 'manifold-cli', kind: 'user', scopes: ['orders:write'] },
  // The products subgraph reading supplier stock through soap-proxy.
  { clientId: 'products-subgraph', kind: 'service', scopes: ['supplier:read'] },
  // A partner calling the REST facades.
  {
    clientId: 'partner-demo',
    kind: 'service',
    scopes: [
      'customers:read',
      'invoices:read',
      'loyalty:read',
      'tickets:read',
      'tickets:write',
      'supplier:read',
    ],
  },
  // The ops console (and on-call scripts): read webhook dead letters and replay them.
  { clientId: 'webhooks-operator', kind: 'service', scopes: ['webhooks:read', 'webhooks:replay'] },
  // The webhooks service replaying a legacy adapter dead letter (a ticket, a comment) through the adapter.
  { clientId: 'webhooks-replay', kind: 'service', scopes: ['tickets:write'] },
  // Back-office tools: read the whole graph, place orders for anyone.
  {
    clientId: 'back-office',
    kind: 'service',
    scopes: ['users:read', 'orders:read', 'orders:write', 'orders:admin'],
  },
];

/**
 * Test users: the seeded users' ids (1–10000) log in with their id as user name and the
 * generated test password; the token's `sub` is the id, so `me` and ownership work.
 */
export const isTestUser = (username: string): boolean =>
  /^[1-9]\d{0,4}$/.test(username) && Number(username) <= 10_000;

/** What a logged-in test user may grant a client: their own orders. */
export const USER_SCOPES: readonly string[] = ['orders:write'];
