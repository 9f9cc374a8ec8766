import { Header } from '@manifold/platform/contracts';
import { API_KEY_HEADER, type ClientCredentials, type Secret } from '@manifold/platform/auth';
import type { DeliveryJob } from '../engine/queues.ts';

/**
 * A service whose recorded requests are replayed through the service itself, not straight to its
 * upstream: the legacy adapter, whose monolith wants a fresh session login and a CSRF token per
 * form write — secrets a record neither can nor may carry. The replay is the adapter's own REST
 * request, sent to `baseUrl` (from config: the recorded URL's host is only information, and a
 * credential is never sent where a record says) with `credential` and the dead letter's id as its
 * Idempotency-Key, so the adapter performs the write once.
 */
export interface ReplayTarget {
  /** The service's base URL, e.g. `http://127.0.0.1:4200`. */
  baseUrl: string;
  /** What the service accepts (scopes to write what it records); none: not sent at all. */
  credential: ReplayCredential | undefined;
  /** How to set a credential, for the message when it is missing. */
  credentialHint: string;
}

/**
 * Who the replay is, to the service: an API key from its access file, or bearer tokens from the
 * identity provider by client credentials (cached, renewed before expiry, once more after a 401).
 */
export type ReplayCredential = { apiKey: Secret } | { bearer: ClientCredentials };

/** By the recorded request's `source`. */
export type ReplayTargets = Readonly<Record<string, ReplayTarget>>;

export type ReplayRequest =
  /** `bearer`: sent with its token (`bearer.fetch`); without it, as is (an API key is a header). */
  | { url: string; headers: Record<string, string>; bearer?: ClientCredentials }
  /** Nothing can be sent (no credential): the dead letter stays replayable. */
  | { notSent: string };

/** Where and how a recorded request is replayed: as recorded, or through its service's target. */
export function replayRequest(
  data: DeliveryJob,
  upstream: NonNullable<DeliveryJob['upstreamRequest']>,
  targets: ReplayTargets,
): ReplayRequest {
  const headers = { ...upstream.headers, 'content-type': data.contentType };
  const target = targets[data.source];
  if (!target) return { url: upstream.url, headers };
  if (!target.credential)
    return {
      notSent: `not sent: no credential for ${data.source} (${target.credentialHint}), then replay`,
    };
  const recorded = new URL(upstream.url);
  const url = new URL(`${recorded.pathname}${recorded.search}`, target.baseUrl).toString();
  const replayHeaders = {
    ...headers,
    [Header.idempotencyKey]: data.idempotencyKey,
    [Header.requestId]: data.idempotencyKey.slice(0, 255),
  };
  const { credential } = target;
  return 'apiKey' in credential
    ? { url, headers: { ...replayHeaders, [API_KEY_HEADER]: credential.apiKey.value() } }
    : { url, headers: replayHeaders, bearer: credential.bearer };
}
