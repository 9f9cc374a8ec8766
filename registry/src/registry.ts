import { AppError } from '@manifold/platform/errors';
import type { Logger } from '@manifold/platform/logging';
import { runCheck, type CheckDeps, type CheckReport, type Proposal } from './checks/check.ts';
import type { SubgraphSource } from './composition/protocol.ts';
import type { StoredVersion, VersionMeta } from './store/store.ts';
import type { RegistryMetrics } from './metrics.ts';
import type { VersionWatch } from './version-watch.ts';

export interface RegistryDeps extends CheckDeps {
  watch: VersionWatch;
  logger: Logger;
  metrics: RegistryMetrics;
}

export type PublishResult =
  | { published: true; version: StoredVersion; check: CheckReport }
  | { published: false; version: VersionMeta | undefined; check: CheckReport };

/** Another replica stored a version between our check and our write: check again, a few times. */
const MAX_ATTEMPTS = 5;

/**
 * What the registry does, whatever the transport: check, publish, roll back, seed. Writes are
 * serialised in this process (a queue) and across replicas (the store's compare-and-append).
 */
export function createRegistry(deps: RegistryDeps) {
  const { store, composer, watch, logger, metrics } = deps;
  let queue: Promise<unknown> = Promise.resolve();
  const serialised = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };

  const stored = (version: StoredVersion) => {
    watch.announce(version);
    logger.info(
      {
        version: version.version,
        action: version.action,
        subgraph: version.subgraph,
        publishedBy: version.publishedBy,
        forced: version.forced,
      },
      'supergraph version stored',
    );
    return version;
  };

  return {
    check: async (proposal: Proposal): Promise<CheckReport> => {
      const { report } = await runCheck(deps, proposal);
      metrics.checked(report.ok);
      return report;
    },

    publish: (
      proposal: Proposal & { force: boolean; publishedBy: string },
    ): Promise<PublishResult> =>
      serialised(async () => {
        for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
          const outcome = await runCheck(deps, proposal);
          const { report, base, composed } = outcome;
          metrics.checked(report.ok);
          // Without a composed supergraph there is nothing to publish, forced or not.
          if (!composed || (!report.ok && !proposal.force)) {
            metrics.published('refused', proposal.subgraph);
            throw new AppError(
              'SCHEMA_CHECK_FAILED',
              `The check of ${proposal.subgraph} failed: ${report.errors.length} error(s)${composed ? '' : ' (composition failed; force cannot publish it)'}`,
              { details: { check: report } },
            );
          }
          if (outcome.unchanged) {
            metrics.published('unchanged', proposal.subgraph);
            return { published: false, version: base, check: report };
          }
          const version = await store.append(base?.version ?? null, {
            action: 'publish',
            subgraph: proposal.subgraph,
            publishedBy: proposal.publishedBy,
            forced: !report.ok,
            rollbackOf: null,
            supergraphSdl: composed.supergraphSdl,
            apiSdl: composed.apiSdl,
            subgraphs: outcome.subgraphs,
          });
          if (version) {
            metrics.published(version.forced ? 'forced' : 'published', proposal.subgraph);
            return { published: true, version: stored(version), check: report };
          }
        }
        throw new AppError('CONFLICT', 'Other publishes kept landing first; retry');
      }),

    rollback: (to: string, publishedBy: string): Promise<StoredVersion> =>
      serialised(async () => {
        const target = await store.version(to);
        if (!target) throw new AppError('NOT_FOUND', `No supergraph version ${JSON.stringify(to)}`);
        for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
          const base = await store.currentId();
          const version = await store.append(base ?? null, {
            action: 'rollback',
            subgraph: null,
            publishedBy,
            forced: false,
            rollbackOf: target.version,
            supergraphSdl: target.supergraphSdl,
            apiSdl: target.apiSdl,
            subgraphs: target.subgraphs,
          });
          if (version) return stored(version);
        }
        throw new AppError('CONFLICT', 'Other publishes kept landing first; retry');
      }),

    /** Fills an empty store with `subgraphs` composed (first start); a no-op once a version exists. */
    seed: (subgraphs: readonly SubgraphSource[]): Promise<StoredVersion | undefined> =>
      serialised(async () => {
        if ((await store.currentId()) !== undefined) return undefined;
        const composition = await composer.compose(subgraphs);
        if (!composition.ok)
          throw new Error(
            `Seeding the registry: the repository's subgraphs do not compose:\n${composition.errors.map((error) => error.message).join('\n')}`,
          );
        const version = await store.append(null, {
          action: 'seed',
          subgraph: null,
          publishedBy: null,
          forced: false,
          rollbackOf: null,
          supergraphSdl: composition.supergraphSdl,
          apiSdl: composition.apiSdl,
          subgraphs: [...subgraphs],
        });
        // Undefined: another replica seeded first, which is as good.
        return version && stored(version);
      }),
  };
}

export type Registry = ReturnType<typeof createRegistry>;
