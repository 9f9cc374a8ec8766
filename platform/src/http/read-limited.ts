import { UpstreamError } from '../errors/index.ts';

/** What a service reads of one upstream answer unless told otherwise: 10 MiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

export interface ReadLimitedOptions {
  /** The upstream, as errors and metrics name it (`legacy`, `supplier`). */
  upstream: string;
  /** @default DEFAULT_MAX_RESPONSE_BYTES */
  maxBytes?: number;
  /** The answer's Content-Length, when it sent one: a body announced too large is not read at all. */
  declaredLength?: string | string[] | null | undefined;
}

const tooLarge = (upstream: string, maxBytes: number) =>
  new UpstreamError(
    'UPSTREAM_RESPONSE_TOO_LARGE',
    upstream,
    `${upstream} answered with more than ${String(maxBytes)} bytes`,
    // The same request gets the same answer: retrying only reads the same flood again.
    { transient: false },
  );

/**
 * An upstream answer's body, read at most to `maxBytes`: a legacy system that answers a 50 MB page
 * (or never stops) must not take our memory with it. Past the limit the body is abandoned (the
 * stream cancelled, its connection dropped) and UPSTREAM_RESPONSE_TOO_LARGE (502) thrown.
 * Accepts a fetch body (a web ReadableStream) or undici's (a Node Readable): both iterate.
 */
export async function readLimited(
  body: AsyncIterable<Uint8Array> | null | undefined,
  { upstream, maxBytes = DEFAULT_MAX_RESPONSE_BYTES, declaredLength }: ReadLimitedOptions,
): Promise<Uint8Array> {
  const declared = Number(Array.isArray(declaredLength) ? declaredLength[0] : declaredLength);
  if (body && Number.isFinite(declared) && declared > maxBytes) {
    await abandon(body);
    throw tooLarge(upstream, maxBytes);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (body) {
    // Leaving the loop by a throw calls the iterator's return(): the stream is cancelled.
    for await (const chunk of body) {
      size += chunk.byteLength;
      if (size > maxBytes) throw tooLarge(upstream, maxBytes);
      chunks.push(chunk);
    }
  }
  return Buffer.concat(chunks, size);
}

async function abandon(body: AsyncIterable<Uint8Array>): Promise<void> {
  const stream = body as { cancel?: () => Promise<void>; destroy?: () => void };
  if (typeof stream.cancel === 'function') await stream.cancel().catch(() => undefined);
  else stream.destroy?.();
}
