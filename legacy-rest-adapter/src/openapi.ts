import {
  OpenAPIRegistry,
  OpenApiGeneratorV31,
  type ResponseConfig,
} from '@asteasolutions/zod-to-openapi';
import { addOpenApiSecurity } from '@manifold/platform/auth';
import { z } from 'zod';
import { accessScopes } from './config.ts';
import type { Versioning } from './http/versioning.ts';
import type { Representations } from './representations.ts';
import { RequestHeaders } from './schemas/headers.ts';
import { problemResponse } from './schemas/problem.ts';

/** One operation of the API, written once: documented in every version and for `/api/<path>`. */
export interface ApiOperation {
  method: 'get' | 'post' | 'patch';
  /** The one route pattern, as OpenAPI writes it: `/customers/{id}`. */
  path: string;
  tags: string[];
  summary: string;
  request?: {
    params?: z.ZodObject;
    query?: z.ZodObject;
    headers?: z.ZodObject;
    body?: z.ZodType;
  };
  /** The answer on success; its body as a version represents it. */
  success: {
    status: 200 | 201;
    description: string;
    body: (representations: Representations) => z.ZodType;
  };
  errors: Record<number, ResponseConfig>;
}

const notModified: ResponseConfig = {
  description: 'Not Modified: If-None-Match named the current ETag (no body)',
};

/** What any operation with a body may answer before its route sees it (app.ts). */
const bodyRefusals = {
  413: problemResponse('The JSON body is larger than the adapter reads (256 kB)'),
  415: problemResponse('The body is not application/json'),
};

const mergeHeaders = (...parts: (z.ZodObject | undefined)[]): z.ZodObject | undefined => {
  const present = parts.filter((part) => part !== undefined);
  return present.length === 0
    ? undefined
    : z.object(Object.assign({}, ...present.map((part) => part.shape)) as z.ZodRawShape);
};

/**
 * OpenAPI 3.1, generated from the same zod schemas that validate every request and response and
 * from the version table: `/api/v<n>/…` for each version served (deprecated ones marked so), and
 * `/api/…` with its API-Version header.
 */
export function createApiDocument(versioning: Versioning) {
  const registry = new OpenAPIRegistry();
  const { served, current, names } = versioning;

  function add({ method, path, tags, summary, request = {}, success, errors }: ApiOperation) {
    const get = method === 'get';
    const responses = (schema: z.ZodType) => ({
      [success.status]: {
        description: success.description,
        content: { 'application/json': { schema } },
      },
      ...(get ? { 304: notModified } : {}),
      ...(request.body ? bodyRefusals : {}),
      ...errors,
    });
    const requestIn = (apiVersionHeader: z.ZodObject | undefined) => {
      const headers = mergeHeaders(
        request.headers,
        get ? RequestHeaders.ifNoneMatch : undefined,
        apiVersionHeader,
      );
      return {
        ...(request.params ? { params: request.params } : {}),
        ...(request.query ? { query: request.query } : {}),
        ...(headers ? { headers } : {}),
        ...(request.body
          ? { body: { content: { 'application/json': { schema: request.body } } } }
          : {}),
      };
    };
    for (const version of served) {
      registry.registerPath({
        method,
        path: `/api/v${version.version}${path}`,
        tags,
        summary,
        ...(version.deprecation ? { deprecated: true } : {}),
        request: requestIn(undefined),
        responses: responses(success.body(version.representations)),
      });
    }
    // Without a version in the path, the answer is whichever version API-Version names.
    const bodies = [...new Set(served.map((version) => success.body(version.representations)))];
    const [first = z.never(), second, ...more] = bodies;
    registry.registerPath({
      method,
      path: `/api${path}`,
      tags,
      summary: `${summary} (in the version API-Version names)`,
      request: requestIn(RequestHeaders.apiVersion(names, String(current.version))),
      responses: responses(second ? z.union([first, second, ...more]) : first),
    });
  }

  function build(): Record<string, unknown> {
    const deprecated = served.flatMap(({ version, deprecation }) =>
      deprecation
        ? [
            `v${version} is deprecated (Sunset ${deprecation.sunset.toISOString().slice(0, 10)}; successor v${deprecation.successor}).`,
          ]
        : [],
    );
    const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
      openapi: '3.1.0',
      info: {
        title: 'Manifold legacy-rest-adapter',
        version: `${current.version}.0.0`,
        description: [
          'A versioned JSON API over the legacy PHP monolith.',
          `Versions: ${names.map((name) => `v${name}`).join(', ')}; v${current.version} is current and answers /api/… when API-Version names none.`,
          ...deprecated,
        ].join(' '),
      },
      // Relative: wherever this document was fetched from is where the API answers.
      servers: [{ url: '/', description: 'This adapter' }],
    }) as unknown as Record<string, unknown>;
    return addOpenApiSecurity(document, { scopesFor: accessScopes, bearer: true });
  }

  return { add, build };
}

export type ApiDocument = ReturnType<typeof createApiDocument>;
