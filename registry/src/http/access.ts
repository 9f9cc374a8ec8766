import { admit, type Authenticate } from '@manifold/platform/auth';
import { setCaller, type Caller } from '@manifold/platform/contracts';
import type { EdgeMiddleware } from '@manifold/platform/http';

/**
 * What a route needs: `public`, or credentials holding every scope of at least one of the listed
 * sets (publish: `registry:publish:<name>` or `registry:publish`).
 */
export type RegistryScopes = 'public' | readonly (readonly string[])[];

const READ = [['registry:read']] as const;
const SUBGRAPH_WRITE = /^\/subgraphs\/([^/]+)\/(check|publish)$/;

/** Who may call what (registry/CONTRACT.md, "Authentication and scopes"). */
export function registryScopes({ publicReads }: { publicReads: boolean }) {
  return (method: string, path: string): RegistryScopes => {
    const reading = method === 'GET' || method === 'HEAD';
    if (
      path === '/supergraph' ||
      path.startsWith('/supergraph/') ||
      path.startsWith('/subgraphs')
    ) {
      if (reading) return publicReads ? 'public' : READ;
      if (path === '/supergraph/rollback') return [['registry:admin']];
      const write = SUBGRAPH_WRITE.exec(path);
      const name = write?.[1];
      if (name !== undefined && write?.[2] === 'publish')
        return [[`registry:publish:${name}`], ['registry:publish']];
      if (name !== undefined)
        return [['registry:check'], [`registry:publish:${name}`], ['registry:publish']];
      return [['registry:admin']];
    }
    if (path === '/usage') return [['registry:report']];
    // Health, metrics, /openapi.json, /docs; anything else is a 404 whoever asks.
    return 'public';
  };
}

const held = (caller: Caller, alternatives: readonly (readonly string[])[]) =>
  alternatives.find((scopes) => scopes.every((scope) => caller.scopes.has(scope)));

/** The registry's front door: authenticates, refuses without one of the route's scope sets (401/403), records the caller. */
export function registryAccessEdge({
  authenticate,
  scopesFor,
}: {
  authenticate: Authenticate;
  scopesFor: (method: string, path: string) => RegistryScopes;
}): EdgeMiddleware {
  const check = (
    req: Parameters<EdgeMiddleware>[0],
    caller: Caller,
    alternatives: readonly (readonly string[])[],
  ) => {
    // admit() answers 401 for no credentials and 403 naming the first scope set otherwise.
    admit(caller, held(caller, alternatives) ?? alternatives[0] ?? []);
    setCaller(req, caller);
  };
  return (req) => {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    const required = scopesFor(req.method ?? 'GET', path);
    if (required === 'public') return undefined;
    const caller = authenticate(req);
    if (caller instanceof Promise)
      return caller.then((found) => {
        check(req, found, required);
      });
    check(req, caller, required);
    return undefined;
  };
}

/** Who did it, for the history: the client, the user it spoke for, the key it used. */
export function publisherOf(caller: Caller): string {
  const user = caller.subject === undefined ? '' : ` (user ${caller.subject})`;
  const key = caller.credentialId === undefined ? '' : ` [key ${caller.credentialId}]`;
  return `${caller.clientId}${user}${key}`;
}
