import { ConfigError } from '@manifold/platform/config';
import { secretsFromEnv, type Secret } from '@manifold/platform/auth';
import { Webhook } from 'standardwebhooks';
import type { EndpointSettings } from '../settings/webhooks-file.ts';

/** A registered endpoint as deliveries use it: where, how long to wait, and its active secrets. */
export interface OutboundEndpoint {
  url: string;
  timeoutMs: number;
  /** Every secret set, in file order (the new one first during a rotation); each signs. */
  secrets: readonly Secret[];
}

/**
 * The registered endpoints with the secrets their variables hold (NAME or NAME_FILE). An
 * endpoint none of whose secrets is set, or with a secret the Standard Webhooks library cannot
 * use, refuses the start: we never send a customer an unsigned event, nor drop its events quietly.
 */
export function createEndpoints(
  settings: Readonly<Record<string, EndpointSettings>>,
  env: Readonly<Record<string, unknown>>,
): Map<string, OutboundEndpoint> {
  const problems: string[] = [];
  const endpoints = new Map<string, OutboundEndpoint>();
  for (const [name, endpoint] of Object.entries(settings)) {
    const secrets = secretsFromEnv(env, endpoint.secrets);
    if (secrets.length === 0) {
      problems.push(
        `endpoint ${name}: none of ${endpoint.secrets.join(', ')} is set (a whsec_ secret, or its _FILE)`,
      );
      continue;
    }
    for (const secret of secrets)
      try {
        new Webhook(secret.value());
      } catch {
        problems.push(`endpoint ${name}: ${secret.source} is not a whsec_<base64> secret`);
      }
    endpoints.set(name, { url: endpoint.url, timeoutMs: endpoint.timeoutMs, secrets });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return endpoints;
}
