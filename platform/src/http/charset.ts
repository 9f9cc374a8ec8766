/**
 * A body's text in the charset its Content-Type names, UTF-8 when it names none or one nobody
 * knows. Legacy systems still answer in ISO-8859-1; WHATWG decoding reads that label as
 * windows-1252, a superset, so nothing a Latin-1 sender writes is lost.
 */
export function decodeText(
  bytes: ArrayBuffer | Uint8Array,
  contentType: string | readonly string[] | null | undefined,
): string {
  const header = Array.isArray(contentType) ? contentType.join(';') : String(contentType ?? '');
  const charset = /;\s*charset="?([^";\s]+)"?/i.exec(header)?.[1];
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}
