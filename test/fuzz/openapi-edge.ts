import type fc from 'fast-check';
import { invariantViolations, type Answer } from './harness.ts';
import { createContractCheck } from './openapi-contract.ts';
import {
  restRequests,
  sendRest,
  type OpenApiDocument,
  type RestRequestCase,
  type RestRequestOptions,
} from './rest-requests.ts';

/** A REST service's own /openapi.json, made into what an edge fuzzes it with. */
export interface OpenApiFuzz {
  document: OpenApiDocument;
  /** Requests for every documented operation, valid and not. */
  arbitrary: fc.Arbitrary<RestRequestCase>;
  send: (input: RestRequestCase) => Promise<Answer>;
  /** No 5xx, no leak, JSON that is JSON, and every other answer the documented one. */
  check: (input: RestRequestCase, answer: Answer) => string[];
  /** Whether an answer to `method path` is one the document gives (status, media type, schema). */
  conforms: (method: string, path: string, answer: Answer) => string[];
}

/**
 * Reads the document a running service serves and builds its fuzz from it: every facade, the
 * registry and the webhooks service are fuzzed the same way, from what they say they accept.
 * `credentials`: the headers of a caller allowed every route (added when an input is to be
 * authenticated, never stored in it).
 */
export async function openApiFuzz(
  baseUrl: string,
  credentials: Record<string, string>,
  options: RestRequestOptions = {},
): Promise<OpenApiFuzz> {
  const response = await fetch(`${baseUrl}/openapi.json`);
  if (!response.ok) throw new Error(`${baseUrl}/openapi.json: HTTP ${String(response.status)}`);
  const document = (await response.json()) as OpenApiDocument;
  const conforms = createContractCheck(document);
  return {
    document,
    arbitrary: restRequests(document, options),
    send: sendRest(baseUrl, credentials),
    // 5xx are reported by invariantViolations; every other answer must be the documented one.
    check: (input, answer) => [
      ...invariantViolations(answer),
      ...(answer.status < 500 ? conforms(input.operation.method, input.path, answer) : []),
    ],
    conforms,
  };
}
