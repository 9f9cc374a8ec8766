import { readFileSync } from 'node:fs';
import { ConfigError, pollFileChanges } from '@manifold/platform/config';
import type { Logger } from '@manifold/platform/logging';
import { readManifest } from './manifest.ts';

/** The registered operations' text by document id (sha256, hex). */
export interface TrustedDocuments {
  get(id: string): string | undefined;
  readonly size: number;
}

/** The store file (`npm run trusted-documents -- add` writes it); ConfigError when unreadable or invalid. */
export function loadTrustedDocuments(path: string): TrustedDocuments {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([
      `TRUSTED_DOCUMENTS_PATH: cannot read ${path}: ${(error as Error).message}`,
    ]);
  }
  try {
    return new Map(readManifest(text).map(({ id, body }) => [id, body]));
  } catch (error) {
    throw new ConfigError([`TRUSTED_DOCUMENTS_PATH: ${path}: ${(error as Error).message}`]);
  }
}

export interface WatchedTrustedDocuments {
  current: () => TrustedDocuments;
  close: () => void;
}

/**
 * The store, re-read when the file changes (a deploy registering a new app version needs no
 * gateway restart); a changed file that is invalid is logged and the previous store stays in force.
 */
export function watchTrustedDocuments(
  path: string,
  { logger, intervalMs = 1_000 }: { logger: Logger; intervalMs?: number },
): WatchedTrustedDocuments {
  // Before the first read: a write during it is seen at the first poll.
  const changes = pollFileChanges(path, intervalMs, () => {
    try {
      documents = loadTrustedDocuments(path);
      logger.info({ path, documents: documents.size }, 'trusted documents reloaded');
    } catch (error) {
      logger.error(
        { path, problems: error instanceof ConfigError ? error.problems : String(error) },
        'trusted documents file changed but is invalid; the previous one stays in force',
      );
    }
  });
  let documents: TrustedDocuments;
  try {
    documents = loadTrustedDocuments(path);
  } catch (error) {
    changes.close();
    throw error;
  }
  return { current: () => documents, close: changes.close };
}
