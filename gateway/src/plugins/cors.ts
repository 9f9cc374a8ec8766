import type { ServerPlugin } from '@manifold/platform/graphql';
import { corsMiddleware, type CorsOptions } from '@manifold/platform/http';
import type { GatewayContext } from '../context.ts';

/** Browser apps on the allowed origins may call /graphql; their preflights are answered. */
export function useCors(options: CorsOptions): ServerPlugin<GatewayContext> {
  return { name: 'cors', http: [corsMiddleware(options)] };
}
