/**
 * XML bytes as text, in the encoding they are in (XML 1.0 appendix F, RFC 7303): a byte-order
 * mark first (UTF-8, UTF-16 LE/BE; it is not part of the text), then the charset the HTTP answer
 * names, then the XML declaration's `encoding`, else UTF-8. WSDLs and XSDs saved by Windows tools
 * start with a UTF-8 BOM; some are UTF-16; older ones are ISO-8859-1 or windows-1252.
 */
export function decodeXml(bytes: Uint8Array, contentType?: string | readonly string[]): string {
  const [a, b, c] = bytes;
  if (a === 0xef && b === 0xbb && c === 0xbf) return decode('utf-8', bytes.subarray(3));
  if (a === 0xff && b === 0xfe) return decode('utf-16le', bytes.subarray(2));
  if (a === 0xfe && b === 0xff) return decode('utf-16be', bytes.subarray(2));
  // UTF-16 without a BOM still starts with '<' (0x3C) next to a zero byte.
  if (a === 0x3c && b === 0x00) return decode('utf-16le', bytes);
  if (a === 0x00 && b === 0x3c) return decode('utf-16be', bytes);
  const header = Array.isArray(contentType) ? contentType.join(';') : String(contentType ?? '');
  const charset = /;\s*charset="?([^";\s]+)"?/i.exec(header)?.[1];
  // The declaration is ASCII in every encoding a declaration may name here.
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 200));
  const declared = /^<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z][\w.:-]*)["']/.exec(head)?.[1];
  return decode(charset ?? declared ?? 'utf-8', bytes);
}

function decode(encoding: string, bytes: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder(encoding).decode(bytes);
  } catch {
    throw new Error(`its encoding ${encoding} is not one this runtime knows`);
  }
  // A BOM the label did not account for (UTF-8 named in the header, BOM in the file) goes too.
  return text.replace(/^\uFEFF/, '');
}
