import type { Keyv } from 'keyv';
import { Router, type Request, type Response } from 'express';
import { AppError } from '@manifold/platform/errors';
import { createResponseCache, responseCacheKey } from '@manifold/platform/cache';
import type { BoundOperation, SoapService } from '../services/soap-service.ts';
import { assertValid } from './validation.ts';

/**
 * POST /api/v1/<service>/<operation> for every operation, GET as well for safe ones:
 *   validate (400) → [safe: shared cache, HIT/MISS/STALE] → policy (timeout, breaker, retries if
 *   idempotent) → SOAP call → normalised JSON. Failures leave as problem+json (422/502/503/504).
 */
export function operationRoutes(services: readonly SoapService[], cache: Keyv): Router {
  const router = Router();
  const cached = createResponseCache(cache);

  const answer = async (
    service: SoapService,
    operation: BoundOperation,
    input: unknown,
    res: Response,
  ) => {
    const callSupplier = () =>
      service.policy.execute((signal) => operation.call(input, signal), {
        idempotent: operation.settings.idempotent,
      });
    const { safe, cacheTtlSeconds, staleIfErrorSeconds } = operation.settings;
    if (!safe || cacheTtlSeconds === 0) {
      res.setHeader('Cache-Control', 'no-store');
      res.json(await callSupplier());
      return;
    }
    const key = responseCacheKey(operation.service, operation.name, input);
    const result = await cached(
      key,
      { ttlSeconds: cacheTtlSeconds, staleIfErrorSeconds },
      callSupplier,
    );
    res.setHeader('X-Cache', result.status);
    res.setHeader('Age', String(result.ageSeconds));
    res.setHeader(
      'Cache-Control',
      result.status === 'STALE' ? 'no-cache' : `public, max-age=${result.freshForSeconds}`,
    );
    res.json(result.value);
  };

  for (const service of services) {
    for (const operation of service.operations) {
      router.post(operation.path, async (req: Request, res: Response) => {
        if (!req.is('application/json'))
          throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the input as application/json');
        const input: unknown = req.body ?? {};
        assertValid(operation.validateBody, input, operation.name);
        await answer(service, operation, input, res);
      });
      if (operation.queryable) {
        router.get(operation.path, async (req: Request, res: Response) => {
          const input = { ...(req.query as Record<string, unknown>) };
          assertValid(operation.validateQuery, input, operation.name);
          await answer(service, operation, input, res);
        });
      }
    }
  }
  return router;
}
