import { createHash } from 'node:crypto';
import { parseInput } from '@manifold/platform/errors';
import { Router } from 'express';
import { UsageBody } from '../schemas/requests.ts';
import type { UsageEntry } from '../store/store.ts';
import type { RouteDeps } from './deps.ts';

/** POST /usage: what the gateways saw operations use, per hour (registry/CONTRACT.md). */
export function usageRoutes({ store, metrics }: RouteDeps): Router {
  const router = Router();
  router.post('/usage', async (req, res) => {
    const { entries } = parseInput(UsageBody, req.body, { what: 'usage report' });
    await store.recordUsage(
      entries.map((entry): UsageEntry => ({
        hour: new Date(entry.hour),
        operation: {
          hash:
            entry.operation.hash ??
            createHash('sha256').update(entry.operation.signature).digest('hex'),
          name: entry.operation.name,
          signature: entry.operation.signature,
        },
        client: entry.client,
        count: entry.count,
        coordinates: entry.coordinates,
      })),
    );
    metrics.usageRecorded(entries.length);
    res.status(202).json({ accepted: entries.length });
  });
  return router;
}
