import { z } from 'zod';

/** Response bodies of the registry API, for its OpenAPI document (registry/CONTRACT.md has the prose). */

import { Problem, problemResponse } from '@manifold/platform/openapi';

export { Problem, problemResponse };

export const VersionSummary = z
  .object({
    version: z.string().meta({ example: '7' }),
    createdAt: z.iso.datetime(),
    action: z.enum(['seed', 'publish', 'rollback']),
    subgraph: z.string().nullable(),
    publishedBy: z.string().nullable(),
    forced: z.boolean(),
    rollbackOf: z.string().nullable(),
    current: z.boolean(),
  })
  .meta({ id: 'VersionSummary' });

const Subgraph = z.object({ name: z.string(), url: z.string(), sdl: z.string() });

export const VersionDetail = VersionSummary.extend({
  sdl: z.string(),
  subgraphs: z.array(Subgraph),
}).meta({ id: 'VersionDetail' });

export const Supergraph = z
  .object({ version: z.string(), createdAt: z.iso.datetime(), sdl: z.string() })
  .meta({ id: 'Supergraph' });

const Location = z.object({
  subgraph: z.string().nullable(),
  line: z.number(),
  column: z.number(),
});
const CompositionIssue = z.object({
  subgraph: z.string().nullable(),
  code: z.string(),
  message: z.string(),
  locations: z.array(Location),
});

const Change = z
  .object({
    type: z.string().meta({ example: 'FIELD_REMOVED' }),
    criticality: z.enum(['BREAKING', 'DANGEROUS', 'SAFE']),
    message: z.string(),
    path: z.string().nullable(),
    coordinates: z.array(z.string()),
    usage: z
      .object({
        count: z.number(),
        operations: z.array(
          z.object({
            hash: z.string(),
            name: z.string().nullable(),
            count: z.number(),
            clients: z.array(
              z.object({
                name: z.string().nullable(),
                version: z.string().nullable(),
                count: z.number(),
              }),
            ),
          }),
        ),
      })
      .nullable(),
  })
  .meta({ id: 'SchemaChange' });

const Issue = z.object({
  kind: z.enum(['composition', 'routing-url', 'breaking-change', 'dangerous-change']),
  message: z.string(),
  subgraph: z.string().optional(),
  coordinate: z.string().optional(),
  change: Change.optional(),
});

export const CheckReport = z
  .object({
    subgraph: z.string(),
    ok: z.boolean(),
    baseVersion: z.string().nullable(),
    composition: z.object({
      ok: z.boolean(),
      errors: z.array(CompositionIssue),
      hints: z.array(CompositionIssue),
    }),
    changes: z.array(Change),
    errors: z.array(Issue),
    warnings: z.array(Issue),
  })
  .meta({ id: 'CheckReport' });

export const PublishResult = z
  .object({ published: z.boolean(), version: VersionSummary.nullable(), check: CheckReport })
  .meta({ id: 'PublishResult' });

export const CheckFailedProblem = Problem.extend({ check: CheckReport }).meta({
  id: 'CheckFailedProblem',
});

export const Diff = z
  .object({ from: z.string(), to: z.string(), changes: z.array(Change) })
  .meta({ id: 'SupergraphDiff' });

export const SubgraphList = z.object({
  subgraphs: z.array(z.object({ name: z.string(), url: z.string(), version: z.string() })),
});

export const SubgraphDetail = Subgraph.extend({ version: z.string() });

export const Accepted = z.object({ accepted: z.number().int() });
