import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { API_RESOURCE, isTestUser, USER_SCOPES } from './catalogue.ts';

/**
 * The provider's user-facing steps: a login form for the test users, then consent, granted at
 * once (every client here is first-party) and only for what a test user may grant.
 */
const escape = (text: string) =>
  text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

function loginPage(uid: string, problem?: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Manifold test login</title></head>
<body><h1>Manifold reference identity provider</h1>
<p>Test users: a seeded user's id (1–10000) and the test password (.data/identity-provider/secrets/test-user-password).</p>
${problem ? `<p role="alert">${escape(problem)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<label>User id <input name="username" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Log in</button></form></body></html>`;
}

async function formBody(req: IncomingMessage): Promise<URLSearchParams> {
  let text = '';
  for await (const chunk of req) {
    text += String(chunk);
    if (text.length > 4_096) break;
  }
  return new URLSearchParams(text);
}

const samePassword = (given: string, expected: string) => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(html);
}

export function createInteractions(provider: Provider, testUserPassword: string) {
  const consent = async (req: IncomingMessage, res: ServerResponse) => {
    const details = await provider.interactionDetails(req, res);
    const { prompt, params, session, grantId } = details;
    const accountId = session?.accountId;
    if (!accountId) throw new Error('consent without a login');
    const grant = grantId
      ? await provider.Grant.find(grantId)
      : new provider.Grant({ accountId, clientId: String(params['client_id']) });
    if (!grant) throw new Error('the grant has expired');
    const missing = prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      // A test user grants only what a user may: their own orders; never users:read or admin.
      const allowed = scopes.filter(
        (scope) => resource === API_RESOURCE && USER_SCOPES.includes(scope),
      );
      if (allowed.length > 0) grant.addResourceScope(resource, allowed.join(' '));
    }
    const saved = await grant.save();
    await provider.interactionFinished(
      req,
      res,
      { consent: { grantId: saved } },
      { mergeWithLastSubmission: true },
    );
  };

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec((req.url ?? '').split('?')[0] ?? '');
    if (!match?.[1]) {
      send(res, 404, 'Not found');
      return;
    }
    const uid = match[1];
    if (req.method === 'POST' && match[2]) {
      const form = await formBody(req);
      const username = form.get('username') ?? '';
      if (!isTestUser(username) || !samePassword(form.get('password') ?? '', testUserPassword)) {
        send(res, 401, loginPage(uid, 'Unknown user or wrong password.'));
        return;
      }
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: username } },
        { mergeWithLastSubmission: false },
      );
      return undefined;
    }
    if (req.method !== 'GET') {
      send(res, 405, 'Method not allowed');
      return;
    }
    const { prompt } = await provider.interactionDetails(req, res);
    if (prompt.name === 'login') {
      send(res, 200, loginPage(uid));
      return;
    }
    return consent(req, res);
  };
}
