import type { Keyv } from 'keyv';
import { Router, type Request, type Response } from 'express';
import { AppError } from '@manifold/platform/errors';
import { createResponseCache, responseCacheKey } from '@manifold/platform/cache';
import type { ExactNumbers } from '../mapping/exact-numbers.ts';
import type { SoapAnswer } from '../services/soap-exchange.ts';
import type { BoundOperation, SoapService } from '../services/soap-service.ts';
import { requestSoapHeaders, setSoapHeaders } from './soap-headers.ts';
import { assertValid } from './validation.ts';

/**
 * POST /api/v1/<service>/<operation> for every operation, GET as well for safe ones:
 *   validate body and SOAP headers (400) → write the envelope (400 for what XML cannot carry) →
 *   [safe: shared cache, HIT/MISS/STALE] → policy (timeout, breaker, retries if idempotent) →
 *   SOAP call → JSON, the answer's SOAP headers as `SOAP-Header-<name>`. Failures leave as
 *   problem+json (422/502/503/504).
 */
export function operationRoutes(
  services: readonly SoapService[],
  cache: Keyv,
  numbers: ExactNumbers,
): Router {
  const router = Router();
  const cached = createResponseCache(cache);

  const answer = async (
    service: SoapService,
    operation: BoundOperation,
    input: unknown,
    req: Request,
    res: Response,
  ) => {
    const soapHeaders = requestSoapHeaders(req, operation);
    // Written once, before any attempt: a retry sends the same Body.
    const prepared = operation.prepare(input, soapHeaders, numbers.inexact);
    const callSupplier = () =>
      service.policy.execute((signal) => operation.send(prepared, signal), {
        idempotent: operation.settings.idempotent,
      });
    const send = (result: SoapAnswer) => {
      setSoapHeaders(res, result.headers);
      res.json(result.body);
    };
    const { safe, cacheTtlSeconds, staleIfErrorSeconds } = operation.settings;
    if (!safe || cacheTtlSeconds === 0) {
      res.setHeader('Cache-Control', 'no-store');
      send(await callSupplier());
      return;
    }
    const key = responseCacheKey(operation.service, operation.name, { input, soapHeaders });
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
    send(result.value);
  };

  for (const service of services) {
    for (const operation of service.operations) {
      router.post(operation.path, async (req: Request, res: Response) => {
        if (!req.is('application/json'))
          throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the input as application/json');
        const input: unknown = req.body ?? {};
        assertValid(operation.validateBody, input, operation.name);
        await answer(service, operation, input, req, res);
      });
      if (operation.queryable) {
        router.get(operation.path, async (req: Request, res: Response) => {
          const input = { ...(req.query as Record<string, unknown>) };
          assertValid(operation.validateQuery, input, operation.name);
          await answer(service, operation, input, req, res);
        });
      }
    }
  }
  return router;
}
