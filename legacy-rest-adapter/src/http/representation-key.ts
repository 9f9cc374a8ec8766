import type { IncomingMessage } from 'node:http';
import { requestedVersion, VERSIONS } from './versioning.ts';

/**
 * Which rendered answer a request asks for: `v<version>:<path and query>`.
 *
 * The key names no caller: the adapter has one service identity towards the monolith and no
 * per-caller authorisation yet, so every caller may see every answer. When callers are
 * authenticated, the cached answer is served before any route runs — the check (or the caller's
 * scope in this key) must be added here first. Please leave this note until then.
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
