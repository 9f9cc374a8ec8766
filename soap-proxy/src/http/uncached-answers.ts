import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { Header } from '@manifold/platform/contracts';
import { logAnsweredAhead, resolveRequestId } from '@manifold/platform/http';
import type { Logger } from '@manifold/platform/logging';
import { setRouteTemplate } from '@manifold/platform/telemetry';
import { withDeadLetterId } from '@manifold/platform/dead-letters';
import type { ExactNumbers } from '../mapping/exact-numbers.ts';
import type { SoapAnswer } from '../services/soap-exchange.ts';
import type { BoundOperation, SoapService } from '../services/soap-service.ts';
import { requestSoapHeaders, setSoapHeaders } from './soap-headers.ts';
import { isValid } from './validation.ts';

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
  return service.policy
    .execute((signal) => operation.send(prepared, signal), {
      idempotent: operation.settings.idempotent,
    })
    .catch((error: unknown) => {
      // A non-idempotent call recorded as a dead letter: the caller's problem names it.
      throw prepared.deadLetterId === undefined
        ? error
        : withDeadLetterId(error, prepared.deadLetterId, operation.service);
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

/**
 * An uncached call made ahead of routing (for a POST cached-answers.ts has read and parsed): when
 * the input is valid, the supplier called and the answer written as the route does, without
 * Express, its body parser and its access-log child logger — about a third of what an uncached
 * call cost soap-proxy beyond a plain HTTP relay. Anything else goes to the `app`: an invalid
 * input as it is (the app lists every error), a failed call with its error (`failed`, which the
 * route throws), so every error answer is still the app's problem+json, access-logged as usual.
 */
export function callAhead(
  req: IncomingMessage,
  res: ServerResponse,
  service: SoapService,
  operation: BoundOperation,
  input: unknown,
  {
    inexact,
    logger,
    app,
    failed,
  }: {
    inexact: ExactNumbers['inexact'];
    logger: Logger;
    app: RequestListener;
    failed: (error: unknown) => void;
  },
): void {
  if (!isValid(operation.validateBody, input)) {
    app(req, res);
    return;
  }
  let soapHeaders: Record<string, unknown>;
  try {
    soapHeaders = requestSoapHeaders(req, operation);
  } catch {
    app(req, res);
    return;
  }
  const requestId = resolveRequestId(req.headers[Header.requestId]);
  setRouteTemplate(req, operation.path);
  let called: Promise<SoapAnswer>;
  try {
    called = callUncached(service, operation, input, soapHeaders, inexact);
  } catch (error) {
    failed(error); // the envelope could not be written (400)
    return;
  }
  called.then((answer) => {
    try {
      res.setHeader(Header.requestId, requestId);
      writeUncachedAnswer(res, answer);
    } catch (error) {
      if (res.headersSent) res.destroy();
      else failed(error); // answered as the route's error would be
      return;
    }
    logAnsweredAhead(logger, req, requestId, { route: operation.path, statusCode: 200 });
  }, failed);
}
