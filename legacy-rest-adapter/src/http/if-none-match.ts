/**
 * Whether an `If-None-Match` header names `etag` (RFC 9110 §13.1.2: a list, `*`, weak
 * comparison), i.e. the client's copy is current and a 304 will do.
 */
export function ifNoneMatchNames(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((candidate) => {
    const value = candidate.trim();
    return value === '*' || value === etag || value === `W/${etag}`;
  });
}
