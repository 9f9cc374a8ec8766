import {
  deadLetterIdFor,
  networkCodeOf,
  wasNotSent,
  withoutSecrets,
  type DeadLetterRecorder,
} from '@manifold/platform/dead-letters';
import type { Logger } from '@manifold/platform/logging';
import { activeTraceId } from '@manifold/platform/telemetry';
import type { SoapHttp, SoapHttpRequest } from '../clients/soap-http.ts';

export interface AmbiguousFailureContext {
  recorder: DeadLetterRecorder;
  service: string;
  operation: string;
  logger: Logger;
  /**
   * Told the dead letter's id before sending, and undefined once the answer says it is not one:
   * the policy's timeout may fail the call before the record is written, and the caller's problem
   * must still carry its id.
   */
  deadLetter: (deadLetterId: string | undefined) => void;
}

/**
 * A non-idempotent operation's transport, recording what the supplier may or may not have acted
 * on: sent, then a timeout, a reset or a 5xx answer. Such a call is never retried (the policy
 * retries idempotent operations only); it becomes a dead letter of the webhooks service, for a
 * person to check and, if the supplier did not act, replay once. A refused connection (nothing
 * sent) or a 4xx answer (the supplier said no) is not recorded.
 */
export function recordingAmbiguousFailures(
  http: SoapHttp,
  context: AmbiguousFailureContext,
): SoapHttp {
  return async (request) => {
    const id = deadLetterIdFor('soap-proxy');
    const at = new Date();
    const started = performance.now();
    const record = async (failure: { error: string; status?: number; response?: string }) => {
      const latencyMs = Math.round(performance.now() - started);
      const { stored } = await context.recorder.record({
        id,
        source: 'soap-proxy',
        destination: context.service,
        operation: context.operation,
        request: requestOf(request),
        traceId: activeTraceId(),
        attempt: { at, latencyMs, ...failure },
      });
      if (!stored)
        context.logger.error(
          {
            deadLetterId: id,
            service: context.service,
            operation: context.operation,
            recorder: context.recorder.state,
          },
          'non-idempotent call failed ambiguously and its dead letter could not be stored: check the supplier by hand',
        );
    };
    let answer: Awaited<ReturnType<SoapHttp>>;
    context.deadLetter(id);
    try {
      answer = await http(request);
    } catch (error) {
      // Refused or unresolvable: it never reached the supplier, so nothing to record.
      if (wasNotSent(error)) context.deadLetter(undefined);
      else
        await record({
          error: request.signal.aborted
            ? 'timed out (request sent)'
            : `network error: ${networkCodeOf(error) ?? (error as Error).message}`,
        });
      throw error;
    }
    if (answer.status < 500 || clientFault(answer.text)) context.deadLetter(undefined);
    else
      await record({
        error: `HTTP ${answer.status}`,
        status: answer.status,
        response: answer.text,
      });
    return answer;
  };
}

/** A SOAP fault blaming the request (1.1 Client, 1.2 Sender): the supplier said no, and did nothing. */
const clientFault = (text: string) =>
  /<(?:[\w-]+:)?(?:faultcode|Value)>\s*(?:[\w-]+:)?(?:Client|Sender)\b/.test(text);

/**
 * The envelope as recorded: without its WS-Security header (a UsernameToken's password, a
 * signature) — a record is read by people and kept; a replay to such a service is refused, and
 * the runbook says to place the order again instead.
 */
export const envelopeWithoutCredentials = (envelope: string) =>
  envelope.replace(/<((?:[\w-]+:)?)Security\b[^>]*(?:\/>|>[\s\S]*?<\/\1Security>)/g, '');

const requestOf = (request: SoapHttpRequest) => ({
  method: 'POST',
  url: request.url,
  headers: withoutSecrets(request.headers),
  contentType: request.headers['content-type'] ?? 'text/xml; charset=utf-8',
  body: envelopeWithoutCredentials(request.body),
});
