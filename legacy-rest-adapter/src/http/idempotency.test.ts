import { Keyv } from 'keyv';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '@manifold/platform/testing';
import { createClaims } from './claims.ts';
import { createIdempotency } from './idempotency.ts';

describe('idempotency: the fact that a write happened', () => {
  it('is reported as not kept when the store refuses it (Keyv answers false), and kept otherwise', async () => {
    // An in-memory store that refuses every write of a "written" record: what a store failing
    // silently at that moment looks like to Keyv's caller.
    const entries = new Map<string, unknown>();
    const refusing = {
      get: (key: string) => entries.get(key),
      set: (key: string, value: unknown) => {
        if (typeof value === 'string' && value.includes('"written"')) return false;
        entries.set(key, value);
        return true;
      },
      delete: (key: string) => entries.delete(key),
      clear: () => {
        entries.clear();
      },
    };
    const cases = [
      { cache: new Keyv({ store: refusing }), expected: false },
      { cache: new Keyv(), expected: true },
    ];
    for (const { cache, expected } of cases) {
      const idempotency = createIdempotency(cache, createClaims(cache, silentLogger()));
      let kept: boolean | undefined;
      await idempotency('tickets', 'k-1', { subject: 'x' }, async ({ wrote }) => {
        kept = await wrote({ ticketId: 7 });
        return { status: 201, body: { id: 7 } };
      });
      expect(kept).toBe(expected);
    }
  });
});
