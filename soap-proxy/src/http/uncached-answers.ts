import type { ServerResponse } from 'node:http';
import type { ExactNumbers } from '../mapping/exact-numbers.ts';
import type { SoapAnswer } from '../services/soap-exchange.ts';
import type { BoundOperation, SoapService } from '../services/soap-service.ts';
import { setSoapHeaders } from './soap-headers.ts';

/**
 * The supplier call of an answer nobody caches: the envelope written once, before any attempt (a
 * retry sends the same Body; what XML cannot carry is a 400 before any call), then the service's
 * policy. One function for the route (operation-routes.ts) and the call made ahead of routing
 * (cached-answers.ts), so both call exactly alike.
 */
export function callUncached(
  service: SoapService,
  operation: BoundOperation,
  input: unknown,
  soapHeaders: Readonly<Record<string, unknown>>,
  inexact: ExactNumbers['inexact'],
): Promise<SoapAnswer> {
  const prepared = operation.prepare(input, soapHeaders, inexact);
  return service.policy.execute((signal) => operation.send(prepared, signal), {
    idempotent: operation.settings.idempotent,
  });
}

/**
 * Writes an uncached answer (`Cache-Control: no-store`) the same way from the route and from ahead
 * of routing. No ETag: an answer nobody may store is never revalidated, and hashing it was work
 * on every call.
 */
export function writeUncachedAnswer(res: ServerResponse, answer: SoapAnswer): void {
  const bytes = Buffer.from(JSON.stringify(answer.body));
  setSoapHeaders(res, answer.headers);
  res.statusCode = 200;
  res.setHeader('cache-control', 'no-store');
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', bytes.length);
  res.end(bytes);
}
