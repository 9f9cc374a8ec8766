import { Router, type Request, type Response } from 'express';
import { AppError } from '@manifold/platform/errors';
import { responseCacheKey, type createResponseCache } from '@manifold/platform/cache';
import type { ExactNumbers } from '../mapping/exact-numbers.ts';
import type { PreparedCall } from '../services/bind-operation.ts';
import type { SoapAnswer } from '../services/soap-exchange.ts';
import type { BoundOperation, SoapService } from '../services/soap-service.ts';
import { cacheHeaders } from './cache-headers.ts';
import { requestSoapHeaders, setSoapHeaders } from './soap-headers.ts';
import { callUncached, writeUncachedAnswer } from './uncached-answers.ts';
import { assertValid } from './validation.ts';

export type ResponseCache = ReturnType<typeof createResponseCache>;

/**
 * POST /api/v1/<service>/<operation> for every operation, GET as well for safe ones:
 *   validate body and SOAP headers (400) → [safe: shared cache, HIT/MISS/STALE] → write the
 *   envelope (400 for what XML cannot carry) → policy (timeout, breaker, retries if idempotent) →
 *   SOAP call → JSON, the answer's SOAP headers as `SOAP-Header-<name>`. Failures leave as
 *   problem+json (422/502/503/504). (Most POSTs are answered before routing — fresh cached
 *   answers by http/cached-answers.ts, uncached calls by http/uncached-answers.ts — and a call
 *   that failed there is answered here: `failedAhead`.)
 */
export function operationRoutes(
  services: readonly SoapService[],
  cached: ResponseCache,
  numbers: ExactNumbers,
  /** How a call made ahead of routing failed (http/cached-answers.ts): answered here, as ours. */
  failedAhead: (req: Request) => { error: unknown } | undefined = () => undefined,
): Router {
  const router = Router();

  const answer = async (
    service: SoapService,
    operation: BoundOperation,
    input: unknown,
    req: Request,
    res: Response,
  ) => {
    const soapHeaders = requestSoapHeaders(req, operation);
    const { safe, cacheTtlSeconds, staleIfErrorSeconds } = operation.settings;
    if (!safe || cacheTtlSeconds === 0) {
      writeUncachedAnswer(
        res,
        await callUncached(service, operation, input, soapHeaders, numbers.inexact),
      );
      return;
    }
    // The envelope is written for the supplier only — a cached answer needs none — once, before
    // any attempt: a retry sends the same Body. Whatever makes writing it fail (400) fails for
    // every input with the same cache key, so none is ever cached for it; except a number JSON
    // could not hold exactly, which has the key of the number it became: such an input is written
    // first, and refused before any cached answer when it must be.
    let prepared: PreparedCall | undefined = numbers.anyInexact(input)
      ? operation.prepare(input, soapHeaders, numbers.inexact)
      : undefined;
    const callSupplier = () => {
      const call = (prepared ??= operation.prepare(input, soapHeaders, numbers.inexact));
      return service.policy.execute((signal) => operation.send(call, signal), {
        idempotent: operation.settings.idempotent,
      });
    };
    const send = (result: SoapAnswer) => {
      setSoapHeaders(res, result.headers);
      res.json(result.body);
    };
    const key = responseCacheKey(operation.service, operation.name, { input, soapHeaders });
    const result = await cached(
      key,
      { ttlSeconds: cacheTtlSeconds, staleIfErrorSeconds },
      callSupplier,
    );
    for (const [name, value] of Object.entries(cacheHeaders(result))) res.setHeader(name, value);
    send(result.value);
  };

  for (const service of services) {
    for (const operation of service.operations) {
      router.post(operation.path, async (req: Request, res: Response) => {
        if (!req.is('application/json'))
          throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the input as application/json');
        const input: unknown = req.body ?? {};
        assertValid(operation.validateBody, input, operation.name);
        const failed = failedAhead(req);
        if (failed) throw failed.error;
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
