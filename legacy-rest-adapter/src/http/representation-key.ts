import type { IncomingMessage } from 'node:http';
import { requestedVersion, VERSIONS } from './versioning.ts';

/**
 * Which rendered answer a request asks for: `v<version>:<path and query>`.
 *
 * The key names no caller, on purpose: the adapter has one service identity towards the
 * monolith, so an answer is the same whoever asks, and who may ask is decided by route scopes
 * at the edge (main.ts, platform/auth), which runs before the cached answer is served. A
 * resource whose answer came to differ per caller would need the caller in this key.
 * `/api/v1/x` and
 * `/api/x` + `API-Version: 1` are the same answer, so they share a key. Anything outside /api,
 * or with a version we do not serve, has none (the full pipeline answers it).
 */
export function representationKey(req: IncomingMessage): string | undefined {
  // Inside express the routers rewrite req.url; originalUrl keeps what the client sent.
  const url = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '';
  const inPath = /^\/api\/v(\d+)(\/.*)$/.exec(url);
  if (inPath) return `v${inPath[1]}:${inPath[2]}`;
  if (!url.startsWith('/api/')) return undefined;
  const version = requestedVersion(req.headers['api-version']);
  return version === undefined ? undefined : `v${version}:${url.slice('/api'.length)}`;
}

/** The keys of one resource path in every version (what a write to it must drop). */
export const representationKeysOf = (path: string): string[] =>
  VERSIONS.map((version) => `v${version}:${path}`);
