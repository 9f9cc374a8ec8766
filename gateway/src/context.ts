import type { Caller } from '@manifold/platform/contracts';
import type { Logger } from '@manifold/platform/logging';

/** Per-request gateway context. */
export interface GatewayContext {
  requestId: string;
  logger: Logger;
  /** Who is calling, as the authentication plugin established it (ANONYMOUS without credentials). */
  caller: Caller;
  /**
   * Whose counters this request counts against (platform/rate-limit `partitionKey`): the
   * client, the user a token speaks for, or the IP address of an anonymous caller.
   */
  clientKey: string;
  /** Client headers on the propagation allow-list, sent on to every subgraph. */
  propagatedHeaders: Readonly<Record<string, string>>;
}
