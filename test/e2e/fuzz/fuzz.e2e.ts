import { describe, expect, it } from 'vitest';
import { FUZZ_EDGES } from '../../fuzz/edges.ts';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 600);

// Generated inputs against each front door, as a real client (or attacker) would send them:
// whatever arrives, no 5xx, a JSON body of the negotiated type, nothing internal leaked, the
// process alive and its memory back near where it started. The corpus of inputs that once
// failed (test/fuzz/corpus/, written by `npm run fuzz`) is replayed first.
describe('hostile input at every edge (property-based)', () => {
  for (const edge of FUZZ_EDGES) {
    it(`${edge.name}: a typed answer to every generated input, never a 5xx or a leak`, async () => {
      const run = await edge.run({ numRuns: RUNS });
      // eslint-disable-next-line no-console -- the suite reports what it tried and how to replay it
      console.info(`fuzz ${edge.name}: ${String(run.tried)} inputs, seed ${String(run.seed)}`);
      expect(run.healthStatus).toBe(200);
      expect(
        run.rssAfterMiB,
        `RSS ${run.rssBeforeMiB.toFixed(0)} → ${run.rssAfterMiB.toFixed(0)} MiB`,
      ).toBeLessThan(run.rssBeforeMiB * 1.5 + 64);
    });
  }
});
