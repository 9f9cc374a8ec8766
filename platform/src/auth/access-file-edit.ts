import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isMap, isSeq, parseDocument, type Document } from 'yaml';
import { ConfigError } from '../config/index.ts';
import { AccessFile, compileAccessFile } from './access-file.ts';
import { generateApiKey } from './api-keys.ts';

/**
 * Changes to the access file made by the `npm run access` CLI: comments and layout survive, the
 * result is validated before it is written, and it replaces the file in one rename, so a
 * replica reloading mid-write never reads half a file.
 */
function edit(path: string, change: (document: Document) => void): void {
  const document = parseDocument(readFileSync(path, 'utf8'));
  if (document.errors.length > 0)
    throw new ConfigError(document.errors.map((error) => `${path}: ${error.message}`));
  change(document);
  const parsed = AccessFile.safeParse(document.toJS());
  if (!parsed.success)
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${path}: ${issue.path.join('.')}: ${issue.message}`),
    );
  compileAccessFile(parsed.data);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, document.toString(), { mode: 0o644 });
  renameSync(temporary, path);
}

export interface CreateKeyOptions {
  client: string;
  /** A subset of the client's scopes. @default the client's scopes */
  scopes?: readonly string[];
  /** ISO 8601 instant the key stops working. */
  expiresAt?: string;
  note?: string;
  /** @default new Date() */
  now?: Date;
}

/** Adds a new key to `client`; returns the key itself (shown once) and its id. Only the hash is written. */
export function createApiKey(path: string, options: CreateKeyOptions): { id: string; key: string } {
  const created = generateApiKey();
  edit(path, (document) => {
    const keys = document.getIn(['clients', options.client, 'keys'], true);
    if (!document.hasIn(['clients', options.client]))
      throw new ConfigError([`${path}: no client "${options.client}" in clients`]);
    const entry = {
      id: created.id,
      hash: created.hash,
      ...(options.scopes ? { scopes: [...options.scopes] } : {}),
      createdAt: (options.now ?? new Date()).toISOString(),
      ...(options.expiresAt ? { expiresAt: new Date(options.expiresAt).toISOString() } : {}),
      ...(options.note ? { note: options.note } : {}),
    };
    if (isSeq(keys)) keys.add(document.createNode(entry));
    else document.setIn(['clients', options.client, 'keys'], document.createNode([entry]));
  });
  return { id: created.id, key: created.key };
}

/** Marks a key revoked from `at` on (default: now); every replica refuses it once it reloads. */
export function revokeApiKey(path: string, keyId: string, at: Date = new Date()): string {
  let owner: string | undefined;
  edit(path, (document) => {
    const clients = document.get('clients', true);
    if (!isMap(clients)) return;
    for (const pair of clients.items) {
      const keys = isMap(pair.value) ? pair.value.get('keys', true) : undefined;
      if (!isSeq(keys)) continue;
      for (const key of keys.items) {
        if (isMap(key) && key.get('id') === keyId) {
          key.set('revokedAt', at.toISOString());
          owner = String(pair.key);
        }
      }
    }
    if (owner === undefined) throw new ConfigError([`${path}: no key with id ${keyId}`]);
  });
  return owner ?? '';
}
