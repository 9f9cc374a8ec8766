import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface EventsWiringOptions {
  /** Whether `npm start` runs the webhooks service this time. */
  webhooksRunning: boolean;
  /** The webhooks service's base URL. */
  webhooksUrl: string;
  /** Where the per-install secret lives, e.g. `<repo>/.data/webhooks/manifold-events.secret`. */
  secretPath: string;
  /** The launcher's environment: a variable already set there is the operator's and is kept. */
  env: NodeJS.ProcessEnv;
}

/** Extra variables per service name. */
export type EventsWiring = Record<string, Record<string, string>>;

/** The services that send Manifold's own events, and the prefix of their variables. */
const SENDERS = { orders: 'ORDERS_EVENTS', products: 'PRODUCTS_EVENTS' } as const;
const SOURCE_SECRET = 'WEBHOOKS_MANIFOLD_EVENTS_SECRET';

/**
 * `npm start` out of the box: the orders and products subgraphs send their events (order.*,
 * product.stock_changed) to the webhooks service's `manifold` source, both sides holding the same
 * `whsec_` secret — generated once per install under .data/ (0600, git-ignored), passed as a
 * `*_FILE` path so its value is never in an environment, a log or a command line. Only when the
 * webhooks service runs (nothing to send to otherwise), and only where the operator has not
 * configured it: a source secret of their own means they wire the senders too.
 */
export function eventsWiring({
  webhooksRunning,
  webhooksUrl,
  secretPath,
  env,
}: EventsWiringOptions): EventsWiring {
  if (!webhooksRunning || env[SOURCE_SECRET] || env[`${SOURCE_SECRET}_FILE`]) return {};
  ensureSecret(secretPath);
  const unset = (variables: Record<string, string>) =>
    Object.fromEntries(Object.entries(variables).filter(([name]) => env[name] === undefined));
  const wiring: EventsWiring = { webhooks: { [`${SOURCE_SECRET}_FILE`]: secretPath } };
  for (const [service, prefix] of Object.entries(SENDERS))
    wiring[service] = unset({
      [`${prefix}_URL`]: `${webhooksUrl}/hooks/manifold`,
      [`${prefix}_SECRET_FILE`]: secretPath,
    });
  return wiring;
}

/** Creates the secret on first use (never overwrites one); owner-only either way. */
function ensureSecret(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(path, `whsec_${randomBytes(32).toString('base64')}\n`, {
      mode: 0o600,
      flag: 'wx',
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  chmodSync(path, 0o600);
}
