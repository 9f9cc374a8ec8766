import {
  chmodSync,
  mkdirSync,
  readFileSync,
  renameSync,
  unwatchFile,
  watchFile,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { isMap, isSeq, parseDocument } from 'yaml';
import { apiKeyId, generateApiKey, hashApiKey } from '@manifold/platform/auth';
import { ConfigError } from '@manifold/platform/config';
import type { EventsWiring } from './events-wiring.ts';

/**
 * deploy/webhooks.yaml's reference destinations that authenticate with an API key: the variable
 * the webhooks service reads it from, the access-file client it belongs to, and the service that
 * must accept it.
 */
const REFERENCE_DESTINATIONS = [
  {
    variable: 'WEBHOOKS_TICKETS_API_KEY',
    client: 'webhooks-tickets',
    service: 'legacy-rest-adapter',
  },
  { variable: 'WEBHOOKS_ORDERS_API_KEY', client: 'webhooks-orders', service: 'gateway' },
] as const;

export interface DestinationKeysWiringOptions {
  /** Whether `npm start` runs the webhooks service this time. */
  webhooksRunning: boolean;
  /** The access file the front doors read otherwise (ACCESS_FILE, else deploy/access.yaml). */
  accessFile: string;
  /** Where the per-install keys and the derived access file live, e.g. `<repo>/.data`. */
  dataDir: string;
  /** The launcher's environment: a variable already set there is the operator's and is kept. */
  env: NodeJS.ProcessEnv;
}

/**
 * `npm start` out of the box: the `tickets` and `orders` destinations get an API key each —
 * generated once per install under .data/webhooks/keys/ (0600, git-ignored) and passed as a
 * `*_FILE` path, so its value is never in an environment, a log or a command line — and the
 * legacy adapter and the gateway accept them: they read a copy of the access file (.data/access.yaml,
 * rewritten at every start from the access file they would read) with each key's hash added to its client, the
 * same entry `npm run access -- create-key` writes. API keys, not the identity provider's client
 * credentials (as for `webhooks-replay`), because a destination sends an x-api-key and nothing
 * else. Nothing when the webhooks service does not run, or for a destination whose key the
 * operator set (then its key is in their access file, as they made it).
 */
export function destinationKeysWiring({
  webhooksRunning,
  accessFile,
  dataDir,
  env,
}: DestinationKeysWiringOptions): EventsWiring {
  const keys = installKeys({ webhooksRunning, dataDir, env });
  if (keys.length === 0) return {};
  const derived = join(dataDir, 'access.yaml');
  writeAccessFileWithKeys(accessFile, derived, keys);
  const wiring: EventsWiring = {
    webhooks: Object.fromEntries(
      keys.map(({ variable, keyFile }) => [`${variable}_FILE`, keyFile]),
    ),
  };
  for (const { service } of keys) wiring[service] = { ACCESS_FILE: derived };
  return wiring;
}

/**
 * While the launcher runs, keeps .data/access.yaml in step with the access file it copies (when
 * destinationKeysWiring wrote one): a key made with `npm run access` works at once, as it does
 * without the copy — the adapter and the gateway reload the copy when it changes. An edit that
 * cannot be applied (not YAML, a client missing) leaves the copy as it was and is told to
 * `onError`. Polled, not fs.watch: editors and `npm run access` replace the file (a new inode).
 * Returns how to stop.
 */
export function followAccessFile(
  options: DestinationKeysWiringOptions,
  onError: (error: unknown) => void,
): () => void {
  const keys = installKeys(options);
  if (keys.length === 0) return () => undefined;
  const derived = join(options.dataDir, 'access.yaml');
  const rewrite = () => {
    try {
      writeAccessFileWithKeys(options.accessFile, derived, keys);
    } catch (error) {
      onError(error);
    }
  };
  watchFile(options.accessFile, { interval: 500 }, rewrite).unref();
  return () => {
    unwatchFile(options.accessFile, rewrite);
  };
}

/** The reference destinations that get an install key this time, each with its key (made once). */
function installKeys({
  webhooksRunning,
  dataDir,
  env,
}: Pick<DestinationKeysWiringOptions, 'webhooksRunning' | 'dataDir' | 'env'>) {
  if (!webhooksRunning) return [];
  return REFERENCE_DESTINATIONS.filter(
    ({ variable }) => !env[variable] && !env[`${variable}_FILE`],
  ).map((destination) => {
    const keyFile = join(dataDir, 'webhooks', 'keys', destination.client);
    return { ...destination, keyFile, key: ensureKey(keyFile) };
  });
}

/** The install's key at `path`, created on first use (never overwritten); owner-only either way. */
function ensureKey(path: string): string {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(path, `${generateApiKey().key}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  chmodSync(path, 0o600);
  const key = readFileSync(path, 'utf8').trim();
  if (apiKeyId(key) === undefined)
    throw new ConfigError([`${path}: not an API key (delete it; npm start makes a new one)`]);
  return key;
}

/** `source` with each key's hash added to its client, written to `target` in one rename. */
function writeAccessFileWithKeys(
  source: string,
  target: string,
  keys: readonly { client: string; key: string }[],
): void {
  const document = parseDocument(readFileSync(source, 'utf8'));
  if (document.errors.length > 0)
    throw new ConfigError(document.errors.map((error) => `${source}: ${error.message}`));
  for (const { client, key } of keys) {
    const entry = document.getIn(['clients', client]);
    if (!isMap(entry)) throw new ConfigError([`${source}: no client ${client}`]);
    const list = entry.get('keys', true);
    const added = {
      id: apiKeyId(key),
      hash: hashApiKey(key),
      note: 'npm start: the key is in .data/webhooks/keys/',
    };
    if (isSeq(list)) list.add(document.createNode(added));
    else entry.set('keys', document.createNode([added]));
  }
  document.commentBefore = ` Written by npm start from ${source} at each start, with the webhooks\n service's destination keys added. Edit that file, not this one.`;
  mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
  const temporary = `${target}.${process.pid}.tmp`;
  writeFileSync(temporary, document.toString(), { mode: 0o600 });
  renameSync(temporary, target);
}
