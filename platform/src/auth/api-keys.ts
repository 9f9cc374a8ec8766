import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys look like `mfk_<id>_<secret>`: a recognisable prefix (secret scanners and people can
 * tell one at a glance), a public id that finds the key without a scan, and 256 random bits.
 * Only the SHA-256 of the whole key is stored; a slow hash buys nothing for 256-bit secrets.
 */
export const API_KEY_PREFIX = 'mfk_';
const KEY_PATTERN = /^mfk_[a-z0-9]{16}_[A-Za-z0-9_-]{43}$/;
/** Where a well-formed key's 16-character id is (after the prefix)… */
export const API_KEY_ID_START = API_KEY_PREFIX.length;
export const API_KEY_ID_END = API_KEY_ID_START + 16;
/** …and its length: then `_` and a 43-character secret. */
export const API_KEY_LENGTH = API_KEY_ID_END + 1 + 43;
const HASH_PREFIX = 'sha256:';

export interface NewApiKey {
  /** The public part, written to the access file. */
  id: string;
  /** The whole key: shown once, never stored. */
  key: string;
  /** What the access file keeps. */
  hash: string;
}

// One-shot hashing: no Hash object per request (this runs on every API-key request).
const sha256 = (key: string): Buffer => hash('sha256', key, 'buffer');

export const hashApiKey = (key: string): string =>
  `${HASH_PREFIX}${sha256(key).toString('base64url')}`;

export function generateApiKey(): NewApiKey {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const id = [...randomBytes(16)].map((byte) => alphabet[byte % alphabet.length]).join('');
  const key = `${API_KEY_PREFIX}${id}_${randomBytes(32).toString('base64url')}`;
  return { id, key, hash: hashApiKey(key) };
}

/** The key's public id, or undefined when `text` is not shaped like one of our keys. */
export function apiKeyId(text: string): string | undefined {
  // test + slice: no match array per request (this runs on every API-key request).
  return KEY_PATTERN.test(text) ? text.slice(API_KEY_ID_START, API_KEY_ID_END) : undefined;
}

/** A stored hash's bytes (decoded once, when the access file is read), or undefined when it is not one of ours. */
export function storedDigest(stored: string): Buffer | undefined {
  if (!stored.startsWith(HASH_PREFIX)) return undefined;
  const digest = Buffer.from(stored.slice(HASH_PREFIX.length), 'base64url');
  return digest.length === 32 ? digest : undefined;
}

/**
 * Whether `key` is the one `stored` (a hash as the access file writes it, or its decoded digest)
 * was made from; constant time in the key's content.
 */
export function apiKeyMatches(key: string, stored: string | Buffer | undefined): boolean {
  const expected = typeof stored === 'string' ? storedDigest(stored) : stored;
  if (expected === undefined) return false;
  const actual = sha256(key);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
