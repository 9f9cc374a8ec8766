import { callerOf } from '@manifold/platform/contracts';
import { AppError, parseInput } from '@manifold/platform/errors';
import { Router, type Response } from 'express';
import { usageKeys } from '../checks/usage-impact.ts';
import { publisherOf } from '../http/access.ts';
import { entityTags, MAX_WAIT_SECONDS, namesVersion, preferredWait } from '../http/conditional.ts';
import {
  DiffQuery,
  RollbackBody,
  SupergraphQuery,
  VersionParams,
  VersionsQuery,
} from '../schemas/requests.ts';
import type { StoredVersion, VersionMeta } from '../store/store.ts';
import type { RouteDeps } from './deps.ts';

export const summaryOf = (meta: VersionMeta, current: string | undefined) => ({
  version: meta.version,
  createdAt: meta.createdAt.toISOString(),
  action: meta.action,
  subgraph: meta.subgraph,
  publishedBy: meta.publishedBy,
  forced: meta.forced,
  rollbackOf: meta.rollbackOf,
  current: meta.version === current,
});

const versionHeaders = (res: Response, version: string) =>
  res.set({ etag: `"${version}"`, 'x-supergraph-version': version, 'cache-control': 'no-cache' });

/** GET /supergraph (ETag + long-poll), its history, diffs between versions, rollback. */
export function supergraphRoutes({ registry, watch, store, composer }: RouteDeps): Router {
  const router = Router();

  router.get('/supergraph', async (req, res) => {
    const query = parseInput(SupergraphQuery, req.query, { prefix: '/query', what: 'query' });
    const wait = Math.min(
      query.wait ?? preferredWait(req.headers['prefer'] as string | undefined) ?? 0,
      MAX_WAIT_SECONDS,
    );
    const tags = entityTags(req.headers['if-none-match']);
    let waited = false;
    const known = watch.current;
    if (known !== undefined && namesVersion(tags, known) && wait > 0) {
      const gone = new AbortController();
      res.on('close', () => {
        gone.abort();
      });
      await watch.waitForChange(known, wait * 1_000, gone.signal);
      waited = true;
      if (gone.signal.aborted) return;
    }
    const current = watch.current;
    if (current !== undefined && namesVersion(tags, current)) {
      versionHeaders(res, current);
      if (waited) res.set('preference-applied', `wait=${wait}`);
      res.status(304).end();
      return;
    }
    const latest = await watch.latest();
    if (!latest) throw new AppError('NOT_FOUND', 'The registry holds no supergraph yet');
    versionHeaders(res, latest.version).json({
      version: latest.version,
      createdAt: latest.createdAt.toISOString(),
      sdl: latest.supergraphSdl,
    });
  });

  router.get('/supergraph/versions', async (req, res) => {
    const { limit } = parseInput(VersionsQuery, req.query, { prefix: '/query', what: 'query' });
    const versions = await store.versions(limit);
    res.json({ versions: versions.map((meta) => summaryOf(meta, watch.current)) });
  });

  const find = async (version: string): Promise<StoredVersion> => {
    const found = await store.version(version);
    if (!found) throw new AppError('NOT_FOUND', `No supergraph version ${JSON.stringify(version)}`);
    return found;
  };

  router.get('/supergraph/versions/:version', async (req, res) => {
    const { version } = parseInput(VersionParams, req.params, { what: 'version' });
    const found = await find(version);
    res.json({
      ...summaryOf(found, watch.current),
      sdl: found.supergraphSdl,
      subgraphs: found.subgraphs,
    });
  });

  router.get('/supergraph/diff', async (req, res) => {
    const query = parseInput(DiffQuery, req.query, { prefix: '/query', what: 'query' });
    const from = await find(query.from);
    const to = query.to === undefined ? await watch.latest() : await find(query.to);
    if (!to) throw new AppError('NOT_FOUND', 'The registry holds no supergraph yet');
    const changes = await composer.diff(from.apiSdl, to.apiSdl);
    res.json({
      from: from.version,
      to: to.version,
      changes: changes.map((change) => {
        const keys = usageKeys(change);
        return { ...change, coordinates: [...keys.coordinates, ...keys.types], usage: null };
      }),
    });
  });

  router.post('/supergraph/rollback', async (req, res) => {
    const { to } = parseInput(RollbackBody, req.body, { what: 'rollback request' });
    const version = await registry.rollback(to, publisherOf(callerOf(req)));
    res.status(201).json(summaryOf(version, watch.current));
  });

  return router;
}
