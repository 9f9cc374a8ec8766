import type { BaseContext } from '@apollo/server';
import type { GatewayIdentityVerifier } from '../../auth/index.ts';
import { setCaller } from '../../contracts/index.ts';
import type { ServerPlugin } from '../server-plugin.ts';

/**
 * A subgraph answers the gateway only: every /graphql request must carry the identity the
 * gateway signed (anonymous callers included), else 401 UNAUTHENTICATED before any resolver
 * runs. The verified caller is recorded on the request (`callerOf(req)`) for the context.
 */
export function useGatewayIdentity<TContext extends BaseContext>(
  verifier: GatewayIdentityVerifier,
): ServerPlugin<TContext> {
  return {
    name: 'gateway-identity',
    http: [
      (req, _res, next) => {
        try {
          const caller = verifier.verify(req);
          if (caller instanceof Promise) {
            caller.then((found) => {
              setCaller(req, found);
              next();
            }, next);
            return;
          }
          setCaller(req, caller);
          next();
        } catch (error) {
          next(error);
        }
      },
    ],
  };
}
