import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { addOpenApiSecurity } from '@manifold/platform/auth';
import {
  DeadLetter,
  DeadLetterDetail,
  DeadLetterList,
  DeadLetterQuery,
  DestinationList,
  DestinationState,
  EndpointList,
  EndpointState,
  ReplayOutcome,
  ReplayRequest,
} from '@manifold/platform/contracts';
import { z } from 'zod';
import { accessScopes } from './config.ts';
import {
  DeadLetterParams,
  problemResponse,
  Receipt,
  SourceParams,
  DestinationParams,
  EndpointParams,
} from './schemas.ts';

const json = (description: string, schema: z.ZodType) => ({
  description,
  content: { 'application/json': { schema } },
});

/** OpenAPI 3.1 of the webhooks service, from the zod schemas that validate its requests. */
export function createApiDocument(): Record<string, unknown> {
  const registry = new OpenAPIRegistry();
  registry.registerPath({
    method: 'post',
    path: '/hooks/{source}',
    tags: ['inbound'],
    summary:
      'Receive a webhook: signature checked on the raw body, event stored durably, then answered',
    request: {
      params: SourceParams,
      body: {
        content: { 'application/json': { schema: z.unknown() } },
        description: "The sender's event, byte for byte as signed",
      },
    },
    responses: {
      202: json('Accepted: stored, fan-out follows', Receipt),
      200: json('A retry of an event already stored: nothing done twice', Receipt),
      400: problemResponse('The body is not in the Content-Encoding it names (gzip, deflate, br)'),
      401: problemResponse(
        'WEBHOOK_SIGNATURE_INVALID (no secret matches, or headers missing) or WEBHOOK_TIMESTAMP_STALE',
      ),
      404: problemResponse('No such source (or none of its secrets is set)'),
      409: problemResponse('WEBHOOK_ID_REUSED: the same event id with another body or type'),
      413: problemResponse('Body over 1 MB'),
      415: problemResponse('A Content-Encoding the service does not read'),
      503: problemResponse('STORE_UNAVAILABLE: not stored; retry'),
    },
  });
  const errors = {
    400: problemResponse('Invalid query or body (errors[] points at it)'),
    503: problemResponse('The queue’s Redis is unreachable'),
  };
  registry.registerPath({
    method: 'get',
    path: '/api/v1/dead-letters',
    tags: ['dead letters'],
    summary: 'List dead letters, filtered, newest failure first, a page at a time (`cursor`)',
    request: { query: DeadLetterQuery },
    responses: { 200: json('Matching dead letters', DeadLetterList), ...errors },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/dead-letters/{id}',
    tags: ['dead letters'],
    summary: 'One dead letter with its payload and every attempt',
    request: { params: DeadLetterParams },
    responses: {
      200: json('The dead letter', DeadLetterDetail),
      404: problemResponse('No such dead letter'),
      ...errors,
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/v1/dead-letters/{id}/replay',
    tags: ['dead letters'],
    summary: 'Send one dead letter again (same Idempotency-Key, fresh retry schedule)',
    request: { params: DeadLetterParams },
    responses: {
      202: json('Back in the queue', DeadLetter),
      404: problemResponse('No such dead letter'),
      409: problemResponse(
        'ALREADY_REPLAYED: a recorded request, not safe to repeat, sent again once already',
      ),
      422: problemResponse('DEAD_LETTER_UNREADABLE: its stored data is not JSON, nothing to send'),
      ...errors,
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/v1/dead-letters/replay',
    tags: ['dead letters'],
    summary: 'Replay every dead letter a filter matches; a dry run (the default) only counts them',
    request: { body: { content: { 'application/json': { schema: ReplayRequest } } } },
    responses: { 200: json('What was (or would be) replayed', ReplayOutcome), ...errors },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/endpoints',
    tags: ['endpoints'],
    summary:
      'Registered endpoints (outbound webhooks to customers) with their state: disabled, why, since when',
    responses: { 200: json('Every configured endpoint', EndpointList), ...errors },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/v1/endpoints/{name}/enable',
    tags: ['endpoints'],
    summary:
      'Enable a disabled endpoint with a clean record (its dead letters stay: replay them with destination=<name>)',
    request: { params: EndpointParams },
    responses: {
      200: json('Its state now', EndpointState),
      404: problemResponse('No such endpoint'),
      ...errors,
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/destinations',
    tags: ['destinations'],
    summary:
      'Destinations with their state: active, breaker open (until when), half-open, or paused (since when, why); held until when by its Retry-After (heldUntil, for one with rateLimit or breaker)',
    responses: { 200: json('Every configured destination', DestinationList), ...errors },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/v1/destinations/{name}/resume',
    tags: ['destinations'],
    summary:
      'Resume a destination: ends a pause, resets its breaker and ends a Retry-After hold kept in Redis; its waiting deliveries look again within 2 s (paused) or 30 s (held)',
    request: { params: DestinationParams },
    responses: {
      200: json('Its state now', DestinationState),
      404: problemResponse('No such destination'),
      ...errors,
    },
  });
  const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Manifold webhooks',
      version: '1.0.0',
      description:
        'Inbound webhooks (Stripe, GitHub, Shopify, Standard Webhooks, generic HMAC) verified, stored durably, fanned out to destinations with retries; outbound webhooks to registered endpoints signed per Standard Webhooks; dead letters and replay.',
    },
    servers: [{ url: '/', description: 'This service' }],
  }) as unknown as Record<string, unknown>;
  return addOpenApiSecurity(document, { scopesFor: accessScopes, bearer: true });
}
