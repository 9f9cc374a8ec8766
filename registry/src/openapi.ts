import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { addOpenApiSecurity } from '@manifold/platform/auth';
import { z } from 'zod';
import type { RegistryScopes } from './http/access.ts';
import {
  CheckBody,
  DiffQuery,
  PublishBody,
  RollbackBody,
  SubgraphParams,
  SupergraphQuery,
  UsageBody,
  VersionParams,
  VersionsQuery,
} from './schemas/requests.ts';
import {
  Accepted,
  CheckFailedProblem,
  CheckReport,
  Diff,
  problemResponse,
  PublishResult,
  SubgraphDetail,
  SubgraphList,
  Supergraph,
  VersionDetail,
  VersionSummary,
} from './schemas/responses.ts';

const json = (description: string, schema: z.ZodType) => ({
  description,
  content: { 'application/json': { schema } },
});
const body = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });
const invalid = problemResponse('Invalid input (`errors[]` points at each field)');
const notFound = problemResponse('No such version or subgraph');

/** OpenAPI 3.1 for the registry, from the zod schemas that validate its requests. */
export function createApiDocument({
  scopesFor,
  bearer,
}: {
  scopesFor: (method: string, path: string) => RegistryScopes;
  bearer: boolean;
}): Record<string, unknown> {
  const registry = new OpenAPIRegistry();
  registry.registerPath({
    method: 'get',
    path: '/supergraph',
    tags: ['supergraph'],
    summary: 'The current supergraph; conditional (If-None-Match) and long-poll (Prefer: wait=N)',
    request: {
      query: SupergraphQuery,
      headers: z.object({
        'if-none-match': z
          .string()
          .optional()
          .meta({ description: 'The version the caller has, e.g. "7"' }),
        prefer: z
          .string()
          .optional()
          .meta({ description: 'wait=<seconds> (≤ 30): hold until a new version' }),
      }),
    },
    responses: {
      200: json(
        'The current supergraph (ETag and X-Supergraph-Version name its version)',
        Supergraph,
      ),
      304: { description: 'Still the version named by If-None-Match (after the wait, if any)' },
      400: invalid,
      404: problemResponse('The registry holds no supergraph yet'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/supergraph/versions',
    tags: ['supergraph'],
    summary: 'Supergraph history, newest first',
    request: { query: VersionsQuery },
    responses: {
      200: json('Versions', z.object({ versions: z.array(VersionSummary) })),
      400: invalid,
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/supergraph/versions/{version}',
    tags: ['supergraph'],
    summary: 'One version, with its supergraph and subgraphs',
    request: { params: VersionParams },
    responses: { 200: json('The version', VersionDetail), 400: invalid, 404: notFound },
  });
  registry.registerPath({
    method: 'get',
    path: '/supergraph/diff',
    tags: ['supergraph'],
    summary: 'API schema changes between two versions',
    request: { query: DiffQuery },
    responses: { 200: json('The changes', Diff), 400: invalid, 404: notFound },
  });
  registry.registerPath({
    method: 'post',
    path: '/supergraph/rollback',
    tags: ['supergraph'],
    summary: "Make an old version's supergraph current again (a new version id)",
    request: { body: body(RollbackBody) },
    responses: {
      201: json('The new current version', VersionSummary),
      400: invalid,
      404: notFound,
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/subgraphs',
    tags: ['subgraphs'],
    summary: 'The subgraphs of the current version',
    responses: { 200: json('Subgraphs', SubgraphList) },
  });
  registry.registerPath({
    method: 'get',
    path: '/subgraphs/{name}',
    tags: ['subgraphs'],
    summary: "A subgraph's current SDL and routing URL",
    request: { params: SubgraphParams },
    responses: { 200: json('The subgraph', SubgraphDetail), 400: invalid, 404: notFound },
  });
  registry.registerPath({
    method: 'post',
    path: '/subgraphs/{name}/check',
    tags: ['subgraphs'],
    summary:
      'Check a proposed SDL: composition, breaking changes, usage (scope registry:check or registry:publish:{name})',
    request: { params: SubgraphParams, body: body(CheckBody) },
    responses: {
      200: json('The check ran; `ok` says whether it passed', CheckReport),
      400: invalid,
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/subgraphs/{name}/publish',
    tags: ['subgraphs'],
    summary: 'Check and publish (scope registry:publish:{name} or registry:publish)',
    request: { params: SubgraphParams, body: body(PublishBody) },
    responses: {
      200: json('Nothing changed: same SDL and URL as the current version', PublishResult),
      201: json('Published: a new current version', PublishResult),
      400: invalid,
      409: {
        description: 'SCHEMA_CHECK_FAILED: not published; `check` says why',
        content: { 'application/problem+json': { schema: CheckFailedProblem } },
      },
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/usage',
    tags: ['usage'],
    summary: "A gateway's usage report: operations, clients, coordinates, counts per hour",
    request: { body: body(UsageBody) },
    responses: { 202: json('Recorded', Accepted), 400: invalid, 413: problemResponse('Too large') },
  });
  const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Manifold schema registry',
      version: '1.0.0',
      description:
        'Subgraph checks and publishes, supergraph versions for gateways (long-poll), usage reports. Contract: registry/CONTRACT.md.',
    },
    servers: [{ url: '/', description: 'This registry' }],
  }) as unknown as Record<string, unknown>;
  // The document shows the first scope set each route accepts; CONTRACT.md lists the alternatives.
  return addOpenApiSecurity(document, {
    scopesFor: (method, path) => {
      const required = scopesFor(method, path);
      return required === 'public' ? 'public' : (required[0] ?? []);
    },
    bearer,
  });
}
