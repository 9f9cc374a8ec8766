// `npm run fuzz -- --minutes N [--edge gateway|soap-proxy|legacy-rest-adapter|upstreams|registry|webhooks]`: the CI
// fuzz properties without the CI bound.
// The minutes are shared by the edges; each runs from a fresh seed (printed). An input that breaks
// an invariant is written to test/fuzz/corpus/<edge>/, which the CI suite replays from then on.
import { parseArgs } from 'node:util';
import { FUZZ_EDGES } from '../test/fuzz/edges.ts';

const { values } = parseArgs({
  options: { minutes: { type: 'string', default: '1' }, edge: { type: 'string' } },
});
const minutes = Number(values.minutes);
if (!Number.isFinite(minutes) || minutes <= 0)
  throw new Error('--minutes must be a positive number');
const edges = FUZZ_EDGES.filter((edge) => values.edge === undefined || edge.name === values.edge);
if (edges.length === 0) throw new Error(`no edge named ${String(values.edge)}`);

let failed = 0;
for (const edge of edges) {
  try {
    const run = await edge.run({
      durationMs: (minutes * 60_000) / edges.length,
      recordFailures: true,
    });
    const processes = run.processes.map(
      (service) =>
        `${service.name}: health ${String(service.healthStatus)}, RSS ${service.rssBeforeMiB.toFixed(0)} → ${service.rssAfterMiB.toFixed(0)} MiB (per minute: ${service.rssPerMinuteMiB.join(', ')}), ${String(service.errors.clientErrors)} client / ${String(service.errors.serverErrors)} server errors of ${String(service.errors.requests)} requests`,
    );
    console.log(
      `fuzz ${edge.name}: ${String(run.tried)} inputs, seed ${String(run.seed)}, statuses ${JSON.stringify(run.statuses)}; ${processes.join('; ')}`,
    );
  } catch (error) {
    failed++;
    console.log((error as Error).message);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
