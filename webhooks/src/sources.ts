import { secretsFromEnv } from '@manifold/platform/auth';
import type { Logger } from '@manifold/platform/logging';
import type { InboundSource } from './inbound/receiver.ts';
import { schemeFor } from './signatures/index.ts';
import type { SourceSettings } from './settings/webhooks-file.ts';

/**
 * The sources that can receive: each with the secrets its variables hold (NAME or NAME_FILE,
 * several during a rotation). A source none of whose secrets is set is left out — its hooks
 * answer 404 — and said so at start: it fails closed.
 */
export function createSources(
  settings: Readonly<Record<string, SourceSettings>>,
  env: Readonly<Record<string, unknown>>,
  logger: Logger,
): Map<string, InboundSource> {
  const sources = new Map<string, InboundSource>();
  for (const [name, source] of Object.entries(settings)) {
    const secrets = secretsFromEnv(env, source.secrets);
    if (secrets.length === 0) {
      logger.warn(
        { source: name, variables: source.secrets },
        `webhook source ${name} has no secret set: its hooks answer 404`,
      );
      continue;
    }
    sources.set(name, { scheme: schemeFor(source), secrets });
  }
  return sources;
}
