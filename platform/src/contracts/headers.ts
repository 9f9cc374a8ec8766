/**
 * Header names more than one service reads or writes. A header that crosses a process boundary is
 * a contract: both ends import its name from here, so they cannot drift apart.
 */
export const Header = {
  /** Correlates one request across every hop; accepted inbound when short and harmless, else replaced. */
  requestId: 'x-request-id',
  /**
   * The caller as the gateway established it, in a short-lived token the gateway signs
   * (platform/auth gateway-identity); subgraphs refuse a request without a valid one, so a
   * client that reaches a subgraph directly cannot claim to be anyone.
   */
  identity: 'x-manifold-identity',
  /** Selects a REST facade version when the path has none (`/api/x` + `API-Version: 2`). */
  apiVersion: 'api-version',
  /** Makes a POST safe to retry: the first answer is replayed for the same key. */
  idempotencyKey: 'idempotency-key',
  /** Set on an answer replayed for a repeated Idempotency-Key. */
  idempotentReplayed: 'idempotent-replayed',
} as const;
