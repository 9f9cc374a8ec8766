/** Extra variables per service name. */
export type DeadLettersWiring = Record<string, Record<string, string>>;

/** The services that record ambiguous non-idempotent failures as webhooks dead letters. */
const RECORDERS = ['soap-proxy', 'legacy-rest-adapter'] as const;

export interface DeadLettersWiringOptions {
  /** Whether `npm start` runs the webhooks service this time. */
  webhooksRunning: boolean;
  /** The queue's private Redis `npm start` runs (redis://…), when it runs one. */
  privateRedisUrl: string | undefined;
  /** The legacy adapter's base URL, where the webhooks service replays its dead letters. */
  legacyAdapterUrl: string;
  /** The launcher's environment: a variable already set there is the operator's and is kept. */
  env: NodeJS.ProcessEnv;
}

/**
 * `npm start` out of the box: soap-proxy and the legacy adapter record what they could not safely
 * repeat straight into the webhooks queue's Redis — the private one `npm start` runs when no Redis
 * is configured (a configured WEBHOOKS_REDIS_URL or REDIS_URL reaches every service already) — and
 * the webhooks service replays the adapter's through the adapter, wherever its port was moved.
 * Only when the webhooks service runs. The replay's credential at the adapter (client credentials
 * from the identity provider) is wired with the webhooks service's links (services.ts).
 */
export function deadLettersWiring({
  webhooksRunning,
  privateRedisUrl,
  legacyAdapterUrl,
  env,
}: DeadLettersWiringOptions): DeadLettersWiring {
  if (!webhooksRunning) return {};
  const wiring: DeadLettersWiring = {};
  if (privateRedisUrl !== undefined)
    for (const service of RECORDERS) wiring[service] = { WEBHOOKS_REDIS_URL: privateRedisUrl };
  if (env['WEBHOOKS_LEGACY_ADAPTER_URL'] === undefined)
    wiring['webhooks'] = { WEBHOOKS_LEGACY_ADAPTER_URL: legacyAdapterUrl };
  return wiring;
}
