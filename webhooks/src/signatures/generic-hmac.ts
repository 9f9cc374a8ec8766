import { hash } from 'node:crypto';
import { constantTimeEqual, decodeSignature, hmac, type HmacAlgorithm } from './compare.ts';
import {
  firstMatching,
  header,
  invalid,
  isFresh,
  jsonField,
  type SignatureScheme,
} from './verdict.ts';

export interface GenericHmacOptions {
  /** Header carrying the signature (lower case). */
  signatureHeader: string;
  algorithm: HmacAlgorithm;
  encoding: 'hex' | 'base64';
  /** Text before the signature in its header, e.g. `sha256=`. */
  prefix: string;
  /** When set: this header carries a Unix timestamp, signed as `<timestamp>.<body>` and checked against the tolerance. */
  timestampHeader: string | undefined;
  toleranceSeconds: number;
  /** Header carrying the event id; without one, the id is the body's SHA-256 (identical bodies are one event). */
  idHeader: string;
  /** Body field naming the event type. */
  typeField: string;
}

/** A generic HMAC over the raw body (or `<timestamp>.<body>`), for senders with no scheme of their own. */
export function genericHmacScheme(options: GenericHmacOptions): SignatureScheme {
  const { signatureHeader, algorithm, encoding, prefix, timestampHeader, toleranceSeconds } =
    options;
  return {
    verify(request, secrets, nowSeconds) {
      const value = header(request, signatureHeader);
      if (value === undefined || !value.startsWith(prefix))
        return invalid(`missing ${signatureHeader} header`);
      const signature = decodeSignature(value.slice(prefix.length), encoding);
      if (signature === undefined) return invalid(`${signatureHeader} is not ${encoding}`);
      const timestamp =
        timestampHeader === undefined ? undefined : header(request, timestampHeader);
      if (
        timestampHeader !== undefined &&
        (timestamp === undefined || !/^\d{1,12}$/.test(timestamp))
      )
        return invalid(`missing or malformed ${timestampHeader} header`);
      const signed =
        timestamp === undefined
          ? request.rawBody
          : Buffer.concat([Buffer.from(`${timestamp}.`), request.rawBody]);
      const secretIndex = firstMatching(secrets, (secret) =>
        constantTimeEqual(signature, hmac(algorithm, secret, signed)),
      );
      if (secretIndex === -1) return invalid(`${signatureHeader} matches no secret`);
      if (timestamp !== undefined && !isFresh(Number(timestamp), nowSeconds, toleranceSeconds))
        return { kind: 'stale', reason: `timestamp outside ${toleranceSeconds} s` };
      const eventType = jsonField(request.rawBody, options.typeField);
      if (eventType === undefined) return invalid(`signed body has no ${options.typeField}`);
      const eventId = header(request, options.idHeader) ?? hash('sha256', request.rawBody, 'hex');
      return { kind: 'accepted', eventId, eventType, secretIndex };
    },
  };
}
