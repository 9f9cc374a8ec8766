import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readLimited } from './read-limited.ts';

/** A stream of `count` chunks of `size` bytes that notes whether it was cancelled. */
function chunks(count: number, size: number) {
  const state = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.pulled === count) controller.close();
      else {
        state.pulled++;
        controller.enqueue(new Uint8Array(size).fill(65));
      }
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

describe('readLimited', () => {
  it('reads a body up to the limit whole', async () => {
    const { stream } = chunks(4, 256);
    const bytes = await readLimited(stream, { upstream: 'legacy', maxBytes: 1024 });
    expect(bytes.byteLength).toBe(1024);
  });

  it('stops reading one byte past the limit: UPSTREAM_RESPONSE_TOO_LARGE, the stream cancelled', async () => {
    const { stream, state } = chunks(1_000, 256);
    await expect(readLimited(stream, { upstream: 'legacy', maxBytes: 1024 })).rejects.toMatchObject(
      { code: 'UPSTREAM_RESPONSE_TOO_LARGE', upstream: 'legacy', transient: false },
    );
    expect(state.cancelled).toBe(true);
    expect(state.pulled).toBeLessThan(10);
  });

  it('refuses a body whose Content-Length announces too much without reading it', async () => {
    const { stream, state } = chunks(1_000, 256);
    await expect(
      readLimited(stream, { upstream: 'supplier', maxBytes: 1024, declaredLength: '52428800' }),
    ).rejects.toMatchObject({ code: 'UPSTREAM_RESPONSE_TOO_LARGE' });
    expect(state.cancelled).toBe(true);
  });

  it('reads a Node stream (undici’s body) the same way, and destroys it past the limit', async () => {
    const node = Readable.from(
      (function* () {
        for (;;) yield Buffer.alloc(512);
      })(),
    );
    await expect(readLimited(node, { upstream: 'supplier', maxBytes: 2048 })).rejects.toMatchObject(
      { code: 'UPSTREAM_RESPONSE_TOO_LARGE' },
    );
    expect(node.destroyed).toBe(true);
  });

  it('reads no body as empty', async () => {
    expect((await readLimited(null, { upstream: 'legacy' })).byteLength).toBe(0);
  });
});
