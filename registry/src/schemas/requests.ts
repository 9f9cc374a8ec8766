import { z } from 'zod';

/** Request bodies and parameters of the registry API (registry/CONTRACT.md), validated and documented. */

export const SubgraphParams = z.object({
  name: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, - and _; starts with a letter')
    .meta({ example: 'products' }),
});

export const VersionParams = z.object({
  version: z.string().min(1).max(32).meta({ example: '7' }),
});

export const CheckBody = z
  .object({
    sdl: z
      .string()
      .min(1)
      .max(5_000_000)
      .meta({ description: "The subgraph's SDL (Federation 2)" }),
    // Any string: whether it is a usable URL is part of the check (so `force` can override it).
    url: z.string().min(1).max(2_048).optional().meta({
      description: 'Routing URL; defaults to the current one',
      example: 'http://127.0.0.1:4002/graphql',
    }),
  })
  .meta({ id: 'CheckRequest' });

export const PublishBody = CheckBody.extend({
  force: z.boolean().default(false).meta({
    description:
      'Publish although the check fails (recorded as forced); never publishes a composition failure',
  }),
}).meta({ id: 'PublishRequest' });

export const RollbackBody = z
  .object({
    to: z.string().min(1).max(32).meta({ description: 'The version to restore', example: '3' }),
  })
  .meta({ id: 'RollbackRequest' });

export const VersionsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const DiffQuery = z.object({
  from: z.string().min(1).max(32),
  to: z.string().min(1).max(32).optional().meta({ description: 'Defaults to the current version' }),
});

export const SupergraphQuery = z.object({
  wait: z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .meta({ description: 'Long-poll seconds (same as `Prefer: wait=`), clamped to 30' }),
});

/** The most entries one usage report may carry. */
export const MAX_USAGE_ENTRIES = 5_000;

const Coordinate = z
  .string()
  .min(3)
  .max(512)
  .regex(
    /^[_A-Za-z][_0-9A-Za-z]*\.[_A-Za-z][_0-9A-Za-z]*(\([_A-Za-z][_0-9A-Za-z]*:\))?$/,
    'a schema coordinate: Type.field or Type.field(arg:)',
  );

export const UsageBody = z
  .object({
    gateway: z.string().max(200).optional(),
    entries: z
      .array(
        z.object({
          hour: z.iso.datetime({ offset: true }).meta({ description: 'Start of the UTC hour' }),
          operation: z.object({
            hash: z
              .string()
              .regex(/^[0-9a-f]{64}$/)
              .optional()
              .meta({ description: 'sha256 (hex) of the signature; computed when absent' }),
            name: z.string().max(500).nullable().default(null),
            signature: z.string().min(1).max(100_000),
          }),
          client: z
            .object({
              name: z.string().max(200).nullable().default(null),
              version: z.string().max(200).nullable().default(null),
            })
            .default({ name: null, version: null }),
          count: z.number().int().positive().max(1_000_000_000),
          coordinates: z.array(Coordinate).max(5_000),
        }),
      )
      .max(MAX_USAGE_ENTRIES),
  })
  .meta({ id: 'UsageReport' });
