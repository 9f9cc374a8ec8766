import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Whether two byte strings are equal, in time that does not depend on where they differ (a
 * signature compared with `===` leaks, byte by byte, how much of a forgery was right). Only the
 * length may show, and the length of a digest is no secret.
 */
export function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512';

export const hmac = (algorithm: HmacAlgorithm, secret: string | Buffer, content: Buffer) =>
  createHmac(algorithm, secret).update(content).digest();

/** Decodes a signature as sent (hex or base64); undefined when it is not valid in that encoding. */
export function decodeSignature(text: string, encoding: 'hex' | 'base64'): Buffer | undefined {
  const pattern = encoding === 'hex' ? /^[0-9a-f]+$/i : /^[A-Za-z0-9+/_-]+={0,2}$/;
  if (!pattern.test(text)) return undefined;
  return Buffer.from(text, encoding === 'hex' ? 'hex' : 'base64');
}
