import { createHash, randomBytes } from 'node:crypto';
import { API_RESOURCE, CLI_REDIRECT_URI, CLIENTS } from './catalogue.ts';

/**
 * Getting a token from the reference provider the way a real client does — what `npm run token`
 * and the tests use, so every token they hold was issued by a real issuer.
 */
export interface ClientCredentialsRequest {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** @default every scope the client may have (catalogue.ts) */
  scope?: string;
}

const basic = (clientId: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;

async function tokenRequest(
  issuer: string,
  clientId: string,
  secret: string,
  form: URLSearchParams,
) {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      authorization: basic(clientId, secret),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: form.toString(),
  });
  const body = (await response.json()) as {
    access_token?: string;
    error?: string;
    error_description?: string;
  };
  if (!response.ok || !body.access_token)
    throw new Error(
      `token request refused: HTTP ${response.status} ${body.error ?? ''} ${body.error_description ?? ''}`,
    );
  return body.access_token;
}

/** A service's token (OAuth 2.0 client credentials). */
export function clientCredentialsToken({
  issuer,
  clientId,
  clientSecret,
  scope,
}: ClientCredentialsRequest) {
  const form = new URLSearchParams({ grant_type: 'client_credentials', resource: API_RESOURCE });
  const scopes = scope ?? CLIENTS.find((client) => client.clientId === clientId)?.scopes.join(' ');
  if (scopes) form.set('scope', scopes);
  return tokenRequest(issuer, clientId, clientSecret, form);
}

export interface TestUserRequest {
  issuer: string;
  /** The CLI client's secret. */
  clientSecret: string;
  /** A seeded user's id. */
  username: string;
  password: string;
  /** @default 'openid orders:write' */
  scope?: string;
}

/** A test user's token: authorization code + PKCE through the login form, as a browser would go. */
export async function testUserToken({
  issuer,
  clientSecret,
  username,
  password,
  scope = 'openid orders:write',
}: TestUserRequest): Promise<string> {
  const verifier = randomBytes(32).toString('base64url');
  const cookies = new Map<string, string>();
  const remember = (response: Response) => {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      if (at > 0) cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
  };
  const cookieHeader = () => [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  let url = new URL(`${issuer}/auth`);
  url.search = new URLSearchParams({
    client_id: 'manifold-cli',
    response_type: 'code',
    redirect_uri: CLI_REDIRECT_URI,
    scope,
    resource: API_RESOURCE,
    state: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  for (let step = 0; step < 10; step += 1) {
    let response = await fetch(url, { redirect: 'manual', headers: { cookie: cookieHeader() } });
    remember(response);
    if (response.status === 200 && url.pathname.startsWith('/interaction/')) {
      await response.body?.cancel();
      response = await fetch(`${url.origin}${url.pathname}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username, password }).toString(),
      });
      remember(response);
    }
    await response.body?.cancel();
    const location = response.headers.get('location');
    if (!location) throw new Error(`login stopped at ${url.pathname}: HTTP ${response.status}`);
    if (location.startsWith(CLI_REDIRECT_URI)) {
      const redirect = new URL(location);
      const code = redirect.searchParams.get('code');
      if (!code)
        throw new Error(`login refused: ${redirect.searchParams.get('error') ?? 'no code'}`);
      return tokenRequest(
        issuer,
        'manifold-cli',
        clientSecret,
        new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: CLI_REDIRECT_URI,
          code_verifier: verifier,
        }),
      );
    }
    url = new URL(location, issuer);
  }
  throw new Error('login did not finish within 10 redirects');
}
