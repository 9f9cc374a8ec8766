import { createSchemaValidator, type JsonSchema } from '@manifold/platform/openapi';
import type { Answer } from './harness.ts';
import type { OpenApiDocument, OpenApiOperation } from './rest-requests.ts';

type Validate = ReturnType<ReturnType<typeof createSchemaValidator>['compile']>;

/**
 * Checks an answer against the operation it was asked of, in the facade's own document: the
 * status is one the operation documents, its media type one documented for that status, and
 * its body validates against that schema (ajv, JSON Schema 2020-12, as OpenAPI 3.1 says).
 * Returns what differs; nothing when the answer keeps the contract.
 */
export function createContractCheck(document: OpenApiDocument) {
  const validator = createSchemaValidator(document as unknown as Record<string, unknown>);
  const compiled = new Map<JsonSchema, Validate>();
  const validatorFor = (schema: JsonSchema) => {
    let validate = compiled.get(schema);
    if (!validate) {
      validate = validator.compile(schema);
      compiled.set(schema, validate);
    }
    return validate;
  };

  const templates = Object.keys(document.paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }));
  /** The documented route a path is (Express ignores one trailing slash), if any. */
  const routeOf = (method: string, path: string) => {
    const pathname = new URL(path, 'http://facade').pathname.replace(/(.)\/$/, '$1');
    return templates.find(
      ({ template, pattern }) => pattern.test(pathname) && document.paths[template]?.[method],
    )?.template;
  };

  return function check(method: string, path: string, answer: Answer): string[] {
    // A path parameter that is empty, '.' or '..' makes another path (URLs resolve dot
    // segments): another documented route's answer, or, with none, the catalogue's 404 (or a
    // 4xx of the edge's checks, which run first) as problem+json.
    const template = routeOf(method, path);
    if (template === undefined)
      return answer.status >= 400 &&
        answer.status < 500 &&
        answer.contentType.startsWith('application/problem+json')
        ? []
        : [`${path}: no documented route, answered ${String(answer.status)} ${answer.contentType}`];
    const operation = document.paths[template]?.[method] as OpenApiOperation | undefined;
    if (!operation) return [`${method} ${template} is not in the document`];
    const documented = operation.responses[String(answer.status)] ?? operation.responses['default'];
    if (!documented) return [`${method} ${template} does not document ${String(answer.status)}`];
    if (answer.status === 304 || answer.body === '') return [];
    const mediaType = answer.contentType.split(';')[0]?.trim() ?? '';
    const schema = documented.content?.[mediaType]?.schema;
    if (!schema)
      return [
        `${method} ${template} → ${String(answer.status)}: ${mediaType || 'no content type'} is not documented for it`,
      ];
    let body: unknown;
    try {
      body = JSON.parse(answer.body);
    } catch {
      return []; // not JSON: the harness's own check reports it
    }
    const validate = validatorFor(schema);
    return validate(body)
      ? []
      : [
          `${method} ${template} → ${String(answer.status)}: the body does not match the document: ${JSON.stringify(validate.errors?.slice(0, 3))}`,
        ];
  };
}
