import { setActiveSpanAttributes } from '@manifold/platform/telemetry';
import { AppError } from '@manifold/platform/errors';
import type { ValidateFunction } from 'ajv';
import type { DeadLetterRecorder } from '@manifold/platform/dead-letters';
import type { Logger } from '@manifold/platform/logging';
import type { SoapHttp } from '../clients/soap-http.ts';
import type { OperationConfig } from '../config.ts';
import { toUpstreamError } from '../mapping/faults.ts';
import type { WriteContext } from '../mapping/to-xml.ts';
import type { HeaderField } from '../openapi/header-fields.ts';
import type { JsonSchema } from '../wsdl/json-schema.ts';
import { recordingAmbiguousFailures } from './ambiguous-failures.ts';
import type { AnswerCheck } from './answer-check.ts';
import {
  SoapFaultAnswer,
  type RestOperationSchemas,
  type SoapAnswer,
  type SoapExchange,
} from './soap-exchange.ts';
import { withValueAt, type Session, type SoapSession } from './soap-session.ts';

/** An envelope ready to send: its Body and configured headers written, validated once. */
export interface PreparedCall {
  /** The envelope, with the session's header (when the service has one) and per-call security added. */
  finish: (sessionHeaders: Readonly<Record<string, unknown>>) => string;
  /** Set when sending it failed ambiguously and it was recorded as a dead letter (never retried). */
  deadLetterId?: string;
}

/** One REST endpoint bound to its SOAP operation. */
export interface BoundOperation {
  service: string;
  name: string;
  path: string;
  settings: OperationConfig;
  /** Also answers GET with query parameters (safe, scalar inputs). */
  queryable: boolean;
  input: JsonSchema;
  output: JsonSchema;
  /** SOAP headers a caller may send, as HTTP headers (`SOAP-Header-<name>`), each with its check. */
  requestHeaders: (HeaderField & { validate: ValidateFunction })[];
  validateBody: ValidateFunction;
  /** Same schema, coercing query-string text (GET on safe operations). */
  validateQuery: ValidateFunction;
  /** Writes the envelope for a valid input; input XML cannot carry as given is BAD_USER_INPUT (400). */
  prepare: (
    input: unknown,
    soapHeaders: Readonly<Record<string, unknown>>,
    inexact?: WriteContext['inexact'],
  ) => PreparedCall;
  /**
   * Sends a prepared call once (no policy): the answer's JSON and SOAP headers, checked against the
   * output schema (UPSTREAM_ERROR otherwise); a fault or failure as a catalogue error.
   */
  send: (call: PreparedCall, signal: AbortSignal) => Promise<SoapAnswer>;
  /** prepare + send: JSON in, JSON out. */
  call: (input: unknown, signal: AbortSignal) => Promise<unknown>;
}

export interface BindingDeps {
  service: string;
  settings: OperationConfig;
  exchange: SoapExchange;
  http: SoapHttp;
  endpoint: string;
  timeoutMs: number;
  /** Transport credentials (HTTP Basic). */
  authorization: Record<string, string>;
  /** Configured SOAP header values, by header name. */
  configuredHeaders: Readonly<Record<string, unknown>>;
  session: { manager: SoapSession; header: string; pointer: string } | undefined;
  checkAnswer: AnswerCheck;
  validateBody: ValidateFunction;
  validateQuery: ValidateFunction;
  compileHeader: (schema: JsonSchema) => ValidateFunction;
  /** Where a non-idempotent call that failed ambiguously is recorded (absent: nowhere). */
  deadLetters?: { recorder: DeadLetterRecorder; logger: Logger } | undefined;
}

const never = () => false;

export function bindOperation(rest: RestOperationSchemas, deps: BindingDeps): BoundOperation {
  const { exchange, session } = deps;
  // Session headers only on operations that bind that header (the login itself does not).
  const sessionHeader =
    session && rest.inputHeaders.some((header) => header.name === session.header)
      ? session
      : undefined;
  const sessionValue = (current: Session) =>
    sessionHeader
      ? {
          [sessionHeader.header]: withValueAt(
            deps.configuredHeaders[sessionHeader.header],
            sessionHeader.pointer,
            current.token,
          ),
        }
      : {};

  const prepare: BoundOperation['prepare'] = (input, soapHeaders, inexact = never) => {
    // The session's header is written per attempt (its token may change between them).
    const headers = Object.fromEntries(
      Object.entries({ ...soapHeaders, ...deps.configuredHeaders }).filter(
        ([name]) => name !== sessionHeader?.header,
      ),
    );
    const request = exchange.request(input, headers, inexact);
    if (request.problems.length > 0)
      throw new AppError('BAD_USER_INPUT', `Invalid input for ${rest.operation.name}`, {
        errors: request.problems,
      });
    return { finish: request.finish };
  };

  const repeatable = deps.settings.idempotent || deps.settings.safe;
  const post = (http: SoapHttp, envelope: string, endpoint: string, signal: AbortSignal) =>
    http({
      url: endpoint,
      body: envelope,
      headers: { ...exchange.httpHeaders, ...deps.authorization },
      signal,
      timeoutMs: deps.timeoutMs,
    });

  const spanAttributes = {
    'rpc.system': 'soap',
    'rpc.service': deps.service,
    'rpc.method': rest.operation.name,
  };
  const send: BoundOperation['send'] = async (call, signal) => {
    const { finish } = call;
    setActiveSpanAttributes(spanAttributes);
    let answer: SoapAnswer;
    const http =
      deps.deadLetters && !repeatable
        ? recordingAmbiguousFailures(deps.http, {
            ...deps.deadLetters,
            service: deps.service,
            operation: rest.operation.name,
            deadLetter: (id) => {
              // Read by the route, whatever the error becomes on its way there.
              if (id === undefined) delete call.deadLetterId;
              else call.deadLetterId = id;
            },
          })
        : deps.http;
    try {
      if (!sessionHeader)
        answer = exchange.answer(await post(http, finish({}), deps.endpoint, signal));
      else {
        let current = await sessionHeader.manager.current();
        const once = async () =>
          exchange.answer(
            await post(
              http,
              finish(sessionValue(current)),
              current.endpoint ?? deps.endpoint,
              signal,
            ),
          );
        try {
          answer = await once();
        } catch (error) {
          const fault =
            error instanceof SoapFaultAnswer ? error.root.Envelope.Body.Fault : undefined;
          if (!fault || !sessionHeader.manager.isExpiredFault(fault)) throw error;
          // The session is gone: one new login (shared with every call that noticed), one more try.
          sessionHeader.manager.expired(current);
          current = await sessionHeader.manager.current();
          answer = await once();
        }
      }
    } catch (error) {
      throw toUpstreamError(deps.service, rest.operation.name, error);
    }
    // Checked as read: the caller gets exactly what was checked, or a 502.
    deps.checkAnswer(answer.body);
    return answer;
  };

  return {
    service: deps.service,
    name: rest.operation.name,
    path: rest.path,
    settings: { ...deps.settings, idempotent: deps.settings.idempotent || deps.settings.safe },
    queryable: rest.queryable,
    input: rest.input,
    output: rest.output,
    requestHeaders: rest.inputHeaders
      .filter((header) => !header.configured)
      .map((header) => ({ ...header, validate: deps.compileHeader(header.schema) })),
    validateBody: deps.validateBody,
    validateQuery: deps.validateQuery,
    prepare,
    send,
    call: async (input, signal) => (await send(prepare(input, {}), signal)).body,
  };
}
