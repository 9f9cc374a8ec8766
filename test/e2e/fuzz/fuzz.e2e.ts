import { describe, expect, it } from 'vitest';
import { FUZZ_EDGES } from '../../fuzz/edges.ts';

const RUNS = process.env['FUZZ_RUNS'] === undefined ? undefined : Number(process.env['FUZZ_RUNS']);

// Generated inputs against each front door, as a real client (or attacker) would send them, and
// hostile answers from the upstreams behind the REST facades: whatever arrives, a typed answer
// (no 5xx for a caller's mistake; a typed 502/503/504 for an upstream's), a JSON body of the
// negotiated type that matches the facade's own document, nothing internal leaked, the
// processes alive and their memory back near where it started — and a flood of bad requests
// counted as the callers' errors, never as ours. The corpus of inputs that once failed
// (test/fuzz/corpus/, written by `npm run fuzz`) is replayed first.
describe('hostile input at every edge (property-based)', () => {
  for (const edge of FUZZ_EDGES) {
    it(`${edge.name}: a typed answer to every generated input, never a 5xx of ours or a leak`, async () => {
      const run = await edge.run({ numRuns: RUNS ?? edge.ciRuns });
      // eslint-disable-next-line no-console -- the suite reports what it tried and how to replay it
      console.info(
        `fuzz ${edge.name}: ${String(run.tried)} inputs, seed ${String(run.seed)}, statuses ${JSON.stringify(run.statuses)}`,
      );
      for (const service of run.processes) {
        const about = `${service.name}: RSS ${service.rssBeforeMiB.toFixed(0)} → ${service.rssAfterMiB.toFixed(0)} MiB, ${JSON.stringify(service.errors)}`;
        expect(service.healthStatus, about).toBe(200);
        expect(service.rssAfterMiB, about).toBeLessThan(service.rssBeforeMiB * 1.5 + 64);
        // Every input reached the process and was counted …
        expect(service.errors.requests, about).toBeGreaterThan(0);
        if (!run.clientSideOnly) continue;
        // … and a flood of bad requests moves the callers' error count, never our error ratio.
        expect(service.errors.clientErrors, about).toBeGreaterThan(0);
        expect(service.errors.serverErrors, about).toBe(0);
        expect(service.errors.graphqlErrorsOfOurs, about).toBe(0);
      }
    });
  }
});
