import { randomBytes } from 'node:crypto';
import {
  createGatewayIdentitySigner,
  createGatewayIdentityVerifier,
  Secret,
  type GatewayIdentitySigner,
  type GatewayIdentityVerifier,
} from '../auth/index.ts';
import { ANONYMOUS, Header, type Caller } from '../contracts/index.ts';

/** A gateway/subgraph trust pair for tests: a random secret, its signer and verifier. */
export interface TestGatewayIdentity {
  /** The secret's value (for processes started with GATEWAY_IDENTITY_SECRET). */
  secret: string;
  signer: GatewayIdentitySigner;
  verifier: GatewayIdentityVerifier;
  /** The header a subgraph request from the gateway carries for `caller`. */
  headers(caller?: Caller): Promise<Record<string, string>>;
}

export function testGatewayIdentity(): TestGatewayIdentity {
  const value = randomBytes(32).toString('base64url');
  const secret = new Secret(() => value, 'test');
  const signer = createGatewayIdentitySigner(secret);
  return {
    secret: value,
    signer,
    verifier: createGatewayIdentityVerifier(secret),
    headers: async (caller = ANONYMOUS) => ({ [Header.identity]: await signer.headerFor(caller) }),
  };
}

/** A caller for tests: a user (`subject`) or a client, with scopes. */
export function testCaller({
  subject,
  scopes = [],
  clientId = 'test-client',
}: { subject?: string; scopes?: readonly string[]; clientId?: string } = {}): Caller {
  return {
    method: 'jwt',
    clientId,
    ...(subject === undefined ? {} : { subject }),
    scopes: new Set(scopes),
    tier: 'free',
  };
}
