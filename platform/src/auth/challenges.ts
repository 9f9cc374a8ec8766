/** The realm every Manifold front door names in its challenges. */
export const AUTH_REALM = 'manifold';

const quoted = (value: string) => `"${value.replace(/["\\]/g, '')}"`;

export interface BearerChallenge {
  /** RFC 6750 §3.1: invalid_request, invalid_token or insufficient_scope; none when no credentials were sent. */
  error?: 'invalid_request' | 'invalid_token' | 'insufficient_scope';
  description?: string;
  /** The scopes the resource needs (insufficient_scope). */
  scope?: readonly string[];
}

/** A `WWW-Authenticate: Bearer …` value (RFC 6750), which API-key clients read the same way. */
export function bearerChallenge({ error, description, scope }: BearerChallenge = {}): string {
  const parts = [`realm=${quoted(AUTH_REALM)}`];
  if (error) parts.push(`error=${quoted(error)}`);
  if (description) parts.push(`error_description=${quoted(description)}`);
  if (scope && scope.length > 0) parts.push(`scope=${quoted(scope.join(' '))}`);
  return `Bearer ${parts.join(', ')}`;
}
