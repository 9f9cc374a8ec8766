import { createHash } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { responseCacheKey, type CachedAnswer } from '@manifold/platform/cache';
import { Header } from '@manifold/platform/contracts';
import { logAnsweredAhead, resolveRequestId } from '@manifold/platform/http';
import type { Logger } from '@manifold/platform/logging';
import { setRouteTemplate } from '@manifold/platform/telemetry';
import type { RequestHandler } from 'express';
import type { ExactNumbers } from '../mapping/exact-numbers.ts';
import type { SoapAnswer } from '../services/soap-exchange.ts';
import type { BoundOperation, SoapService } from '../services/soap-service.ts';
import { cacheHeaders } from './cache-headers.ts';
import type { ResponseCache } from './operation-routes.ts';
import { requestSoapHeaders, setSoapHeaders } from './soap-headers.ts';
import { callAhead } from './uncached-answers.ts';
import { isValid } from './validation.ts';

/**
 * What reading a body ahead of the app found: the parsed JSON, or why express.json would refuse
 * it; and, when the supplier was called ahead of the app and that failed, how (`failed`).
 */
type EarlyBody = { body: unknown; failed?: { error: unknown } } | { error: unknown };

// A JSON body express.json reads as it is: no charset or UTF-8's, no content coding.
const PLAIN_JSON = /^application\/json\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;
// JSON's whitespace, as body-parser's strict mode skips it before the first character.
const FIRST_CHARACTER = /^[ \t\n\r]*([^ \t\n\r])/;

/** The error body-parser gives for what is not JSON (mapped to 400 "Malformed JSON body"). */
const malformed = (message: string, body: string) =>
  Object.assign(new SyntaxError(message), {
    status: 400,
    statusCode: 400,
    expose: true,
    type: 'entity.parse.failed',
    body,
  });

/** A body as express.json({ strict: true }) parses it: `{}` when empty, an object or array otherwise. */
function parseJsonBody(text: string, reviver: ExactNumbers['reviver']): unknown {
  if (text.length === 0) return {};
  const first = FIRST_CHARACTER.exec(text)?.[1];
  if (first !== '{' && first !== '[') throw malformed(`Unexpected token ${first ?? 'end'}`, text);
  try {
    return JSON.parse(text, reviver);
  } catch (error) {
    throw malformed((error as Error).message, text);
  }
}

/** The whole body, UTF-8 (a byte-order mark dropped, as body-parser's decoder drops it). */
const readText = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => {
      resolve(new TextDecoder().decode(Buffer.concat(chunks)));
    });
    req.once('error', reject);
    req.once('close', () => {
      if (!req.complete)
        reject(
          Object.assign(new Error('request aborted'), {
            status: 400,
            expose: true,
            type: 'request.aborted',
          }),
        );
    });
  });

/** The answer's bytes and the weak ETag Express's res.json gives them. */
interface Encoded {
  bytes: Buffer;
  etag: string;
}
const encode = (body: unknown): Encoded => {
  const bytes = Buffer.from(JSON.stringify(body));
  const hash = createHash('sha1').update(bytes).digest('base64').slice(0, 27);
  return { bytes, etag: `W/"${bytes.length.toString(16)}-${hash}"` };
};

export interface CachedAnswersOptions {
  services: readonly SoapService[];
  responses: ResponseCache;
  numbers: ExactNumbers;
  logger: Logger;
  bodyLimitBytes: number;
}

/**
 * Fresh cached answers to POSTs of cacheable operations, sent ahead of the app (after the edge
 * checks, which run first whatever answers): a hit reads and parses the body, validates it,
 * looks up the cache and writes the stored answer — no routing, access-log child loggers, body
 * parser, envelope or Express response machinery, which were most of what a hit cost. It answers
 * exactly as the app would (status, headers, ETag, body; the route's template on the request's
 * duration and span); anything else — a miss, an invalid body, another content type or coding,
 * a chunked body — goes to the app, with the body already read handed to its JSON parser
 * (`jsonBody`) so that nothing is read twice and every refusal is the app's own.
 *
 * POSTs of operations nobody caches are read the same way and handed, parsed, to callAhead
 * (uncached-answers.ts), which calls the supplier here or hands the request to the app; a call
 * that failed there is recorded for the route to answer (`failedAhead`).
 */
export function createCachedAnswers({
  services,
  responses,
  numbers,
  logger,
  bodyLimitBytes,
}: CachedAnswersOptions) {
  const routes = new Map<string, { service: SoapService; operation: BoundOperation }>();
  for (const service of services)
    for (const operation of service.operations) routes.set(operation.path, { service, operation });
  const cacheable = (operation: BoundOperation) =>
    operation.settings.safe && operation.settings.cacheTtlSeconds > 0;
  const early = new WeakMap<IncomingMessage, EarlyBody>();
  // An in-memory cache hands out the same answer object every time: encode it once.
  const encodings = new WeakMap<SoapAnswer, Encoded>();
  const encodingOf = (answer: SoapAnswer) => {
    let encoded = encodings.get(answer);
    if (!encoded) {
      encoded = encode(answer.body);
      encodings.set(answer, encoded);
    }
    return encoded;
  };

  const readsAsIs = (req: IncomingMessage) => {
    const { headers } = req;
    const type = headers['content-type'];
    const coding = headers['content-encoding'];
    const length = headers['content-length'];
    return (
      type !== undefined &&
      PLAIN_JSON.test(type) &&
      (coding === undefined || coding.toLowerCase() === 'identity') &&
      headers['transfer-encoding'] === undefined &&
      length !== undefined &&
      Number(length) <= bodyLimitBytes
    );
  };

  const write = (
    req: IncomingMessage,
    res: ServerResponse,
    operation: BoundOperation,
    found: CachedAnswer<SoapAnswer>,
  ) => {
    const { bytes, etag } = encodingOf(found.value);
    const requestId = resolveRequestId(req.headers[Header.requestId]);
    setRouteTemplate(req, operation.path);
    setSoapHeaders(res, found.value.headers);
    res.writeHead(200, {
      [Header.requestId]: requestId,
      ...cacheHeaders(found),
      'content-type': 'application/json; charset=utf-8',
      'content-length': bytes.length,
      etag,
    });
    res.end(bytes);
    logAnsweredAhead(logger, req, requestId, { route: operation.path, statusCode: 200 });
  };

  /** A fresh answer for this input, synchronously when the cache is in memory; undefined otherwise. */
  const lookUp = (req: IncomingMessage, operation: BoundOperation, input: unknown) => {
    // Refusals (400) are the app's to make, with every error listed; a number that lost digits
    // is the app's too (it may have to be refused whatever the cache holds).
    if (!isValid(operation.validateBody, input) || numbers.anyInexact(input)) return undefined;
    let soapHeaders: Record<string, unknown>;
    try {
      soapHeaders = requestSoapHeaders(req, operation);
    } catch {
      return undefined;
    }
    const key = responseCacheKey(operation.service, operation.name, { input, soapHeaders });
    return responses.fresh<SoapAnswer>(key, operation.settings.cacheTtlSeconds);
  };

  return {
    /** How the call made ahead of routing failed, for the route to answer (operation-routes.ts). */
    failedAhead(req: IncomingMessage): { error: unknown } | undefined {
      const read = early.get(req);
      return read && 'body' in read ? read.failed : undefined;
    },

    /** express.json in the app, unless the body was read ahead of it: then what that found. */
    jsonBody(json: RequestHandler): RequestHandler {
      return (req, res, next) => {
        const read = early.get(req);
        if (read === undefined) {
          json(req, res, next);
          return;
        }
        if ('error' in read) {
          next(read.error);
          return;
        }
        req.body = read.body;
        next();
      };
    },

    /** Wraps `app`: fresh cached answers to POSTs first, everything else to `app`. */
    inFrontOf(app: RequestListener): RequestListener {
      const answer = (
        req: IncomingMessage,
        res: ServerResponse,
        { service, operation }: { service: SoapService; operation: BoundOperation },
        text: string,
      ) => {
        let input: unknown;
        try {
          input = parseJsonBody(text, numbers.reviver);
        } catch (error) {
          early.set(req, { error });
          app(req, res);
          return;
        }
        early.set(req, { body: input });
        if (!cacheable(operation)) {
          callAhead(req, res, service, operation, input, {
            inexact: numbers.inexact,
            logger,
            app,
            failed: (error) => {
              early.set(req, { body: input, failed: { error } });
              app(req, res);
            },
          });
          return;
        }
        let found: ReturnType<typeof lookUp>;
        try {
          found = lookUp(req, operation, input);
        } catch (error) {
          // The cache is an optimisation: trouble with it is a miss, which the app handles.
          logger.warn({ err: error }, 'cached answer lookup failed; answering in full');
          found = undefined;
        }
        if (found instanceof Promise) {
          found.then(
            (fresh) => {
              if (fresh) write(req, res, operation, fresh);
              else app(req, res);
            },
            () => {
              app(req, res);
            },
          );
          return;
        }
        if (found) write(req, res, operation, found);
        else app(req, res);
      };
      return (req, res) => {
        const path = req.url === undefined ? '' : req.url.split('?', 1)[0];
        const route = req.method === 'POST' ? routes.get(path ?? '') : undefined;
        if (route === undefined || !readsAsIs(req)) {
          app(req, res);
          return;
        }
        readText(req).then(
          (text) => {
            answer(req, res, route, text);
          },
          (error: unknown) => {
            early.set(req, { error });
            app(req, res);
          },
        );
      };
    },
  };
}
