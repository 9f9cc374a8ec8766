import type { Logger } from '@manifold/platform/logging';

/** Per-request gateway context; auth plugins fill `userId` (the seam for a later issue). */
export interface GatewayContext {
  requestId: string;
  logger: Logger;
  /** The authenticated caller, forwarded to subgraphs as x-manifold-user-id. Unset until an auth plugin sets it. */
  userId?: string;
}
