import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError, followFile, problemsOf } from '../config/index.ts';
import { storedDigest } from './api-keys.ts';

/**
 * The access file: the declarative list of clients, their API keys (hashes only), the client
 * certificates that identify them and the tiers (plans) they are on — the way Kong DB-less and
 * Envoy are configured. Every replica reads the same file and reloads it when it changes.
 */
const Scope = z.string().regex(/^[\w.:-]+$/, 'a scope is letters, digits and _ . : -');

const ApiKeyEntry = z.strictObject({
  /** The key's public id (the part after `mfk_`). */
  id: z.string().regex(/^[a-z0-9]{16}$/),
  /** `sha256:<base64url>` of the whole key; the key itself is never stored. */
  hash: z.string().regex(/^sha256:[A-Za-z0-9_-]{43}$/),
  /** What this key may do; a subset of its client's scopes. @default the client's scopes */
  scopes: z.array(Scope).optional(),
  createdAt: z.iso.datetime({ offset: true }).optional(),
  /** Refused from this instant on. */
  expiresAt: z.iso.datetime({ offset: true }).optional(),
  /** Refused from this instant on (revocation is a date, so the file says when). */
  revokedAt: z.iso.datetime({ offset: true }).optional(),
  /** Free text for people (who asked for it, where it is used). */
  note: z.string().optional(),
});

const CertificateEntry = z.union([
  z.strictObject({ commonName: z.string().min(1) }),
  /** As Node prints it: `DNS:orders-batch.internal`, `URI:spiffe://manifold/orders-batch`. */
  z.strictObject({ san: z.string().regex(/^(DNS|URI|IP Address|email):.+/) }),
]);

const ClientEntry = z.strictObject({
  tier: z.string().min(1),
  /** The most this client may do (API keys and certificates carry these, or fewer). */
  scopes: z.array(Scope).default([]),
  keys: z.array(ApiKeyEntry).default([]),
  /** Client certificates (mutual TLS) that identify this client. */
  certificates: z.array(CertificateEntry).default([]),
});

export const AccessFile = z.strictObject({
  /**
   * Plans and their limits. Each tier's settings are an object whose fields the rate limits
   * define; the access file only checks that it is one.
   */
  tiers: z.record(z.string().min(1), z.record(z.string(), z.unknown())),
  /** The tier of a token whose client is not listed below. */
  defaultTier: z.string().min(1),
  clients: z.record(z.string().regex(/^[\w.:-]+$/), ClientEntry).default({}),
});
export type AccessFile = z.infer<typeof AccessFile>;

export type ApiKeyEntry = z.infer<typeof ApiKeyEntry>;
export type CertificateEntry = z.infer<typeof CertificateEntry>;

export interface AccessClient {
  readonly id: string;
  readonly tier: string;
  readonly scopes: ReadonlySet<string>;
  readonly certificates: readonly CertificateEntry[];
}

export interface AccessKey {
  readonly id: string;
  readonly hash: string;
  /** The hash's bytes, decoded once (the schema admits only sha256 hashes). */
  readonly digest: Buffer | undefined;
  readonly client: AccessClient;
  readonly scopes: ReadonlySet<string>;
  /** Epoch ms; undefined = never. */
  readonly expiresAt: number | undefined;
  readonly revokedAt: number | undefined;
}

/** The access file as every front door and the rate limits read it. */
export interface AccessPolicy {
  /** Each tier's limit settings, as written (the rate limits give them meaning). */
  readonly tiers: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly defaultTier: string;
  readonly clients: ReadonlyMap<string, AccessClient>;
  /** API keys by public id. */
  readonly keys: ReadonlyMap<string, AccessKey>;
}

const instant = (text: string | undefined) => (text === undefined ? undefined : Date.parse(text));

/** Checks what the schema cannot (references between entries) and indexes the file. */
export function compileAccessFile(file: AccessFile): AccessPolicy {
  const problems: string[] = [];
  if (!(file.defaultTier in file.tiers))
    problems.push(`defaultTier: no tier "${file.defaultTier}" in tiers`);
  const clients = new Map<string, AccessClient>();
  const keys = new Map<string, AccessKey>();
  for (const [id, entry] of Object.entries(file.clients)) {
    if (!(entry.tier in file.tiers))
      problems.push(`clients.${id}.tier: no tier "${entry.tier}" in tiers`);
    const client: AccessClient = {
      id,
      tier: entry.tier,
      scopes: new Set(entry.scopes),
      certificates: entry.certificates,
    };
    clients.set(id, client);
    for (const [index, key] of entry.keys.entries()) {
      const where = `clients.${id}.keys.${index}`;
      if (keys.has(key.id)) problems.push(`${where}.id: another key already has id ${key.id}`);
      const outside = (key.scopes ?? []).filter((scope) => !client.scopes.has(scope));
      if (outside.length > 0)
        problems.push(`${where}.scopes: not scopes of client ${id}: ${outside.join(', ')}`);
      keys.set(key.id, {
        id: key.id,
        hash: key.hash,
        digest: storedDigest(key.hash),
        client,
        scopes: key.scopes ? new Set(key.scopes) : client.scopes,
        expiresAt: instant(key.expiresAt),
        revokedAt: instant(key.revokedAt),
      });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { tiers: file.tiers, defaultTier: file.defaultTier, clients, keys };
}

/** Reads, validates and indexes an access file; every problem in one ConfigError. */
export function loadAccessFile(path: string): AccessPolicy {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError([`ACCESS_FILE: cannot read ${path}: ${(error as Error).message}`]);
  }
  const parsed = AccessFile.safeParse(raw);
  if (!parsed.success)
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${path}: ${issue.path.join('.')}: ${issue.message}`),
    );
  try {
    return compileAccessFile(parsed.data);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new ConfigError(error.problems.map((problem) => `${path}: ${problem}`));
  }
}

/** The access policy in force; it changes when the file does. */
export interface AccessPolicySource {
  current(): AccessPolicy;
}

export interface WatchedAccessFile extends AccessPolicySource {
  /** Stops watching the file. */
  close(): void;
}

export interface WatchAccessFileOptions {
  logger: Logger;
  /** How often the file's modification time is checked. @default 1000 (1 s) */
  intervalMs?: number;
  /** Told after each change: the new file is in force, or it was invalid and ignored. */
  onReload?: (outcome: 'applied' | 'rejected') => void;
}

/**
 * Loads the access file (a bad file at start-up is a ConfigError) and reloads it whenever it
 * changes, without a restart: a new key works, a revoked one is refused, within `intervalMs`.
 * A file that turns bad is logged and ignored; the last good policy stays in force. Polled
 * (followFile; pollFileChanges says why not fs.watch or fs.watchFile).
 */
export function watchAccessFile(
  path: string,
  { logger, intervalMs = 1_000, onReload }: WatchAccessFileOptions,
): WatchedAccessFile {
  return followFile(path, intervalMs, loadAccessFile, (outcome) => {
    if ('loaded' in outcome)
      logger.info(
        { path, clients: outcome.loaded.clients.size, keys: outcome.loaded.keys.size },
        'access file reloaded',
      );
    else
      logger.error(
        { path, problems: problemsOf(outcome.error) },
        'access file changed but is invalid; the previous one stays in force',
      );
    onReload?.('loaded' in outcome ? 'applied' : 'rejected');
  });
}

/** A fixed policy (tests, or a service configured without an access file). */
export const staticAccessPolicy = (policy: AccessPolicy): AccessPolicySource => ({
  current: () => policy,
});

/** No clients, no keys: every API key is unknown. */
export const EMPTY_ACCESS_POLICY: AccessPolicy = compileAccessFile({
  tiers: { default: {} },
  defaultTier: 'default',
  clients: {},
});
