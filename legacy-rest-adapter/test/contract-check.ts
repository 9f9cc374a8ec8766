import {
  createSchemaValidator,
  type JsonSchema,
  type SchemaValidator,
} from '@manifold/platform/openapi';

type ValidateFunction = ReturnType<SchemaValidator['compile']>;

interface Operation {
  responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }>;
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: unknown;
}

/**
 * Checks every answer a test receives against the adapter's own /openapi.json: the status must be
 * documented for that operation, and a JSON body must validate against the documented schema.
 * Throws with what differs, so any test that talks to the adapter is also a contract test.
 */
export function createContractCheck(
  document: OpenApiDocument,
  { currentVersion }: { currentVersion: number },
) {
  const validator = createSchemaValidator(document as unknown as Record<string, unknown>);
  const compiled = new Map<JsonSchema, ValidateFunction>();
  const templates = Object.keys(document.paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }));

  return function check(
    method: string,
    url: string,
    headers: Readonly<Record<string, string>>,
    status: number,
    contentType: string | null,
    body: unknown,
  ): void {
    const path = new URL(url, 'http://adapter').pathname;
    if (!path.startsWith('/api/')) return; // health, docs: not part of the published API
    // /api/<resource> is routed by the API-Version header (default: the current version).
    const version = headers['api-version']?.replace(/^v/i, '') ?? String(currentVersion);
    const versioned = /^\/api\/v\d+\//.test(path)
      ? path
      : path.replace(/^\/api\//, `/api/v${version}/`);
    const template = templates.find(({ pattern }) => pattern.test(versioned))?.template;
    if (template === undefined) {
      // An unknown route (404) or API-Version (400) is outside the document, but still a problem.
      if ((status === 404 || status === 400) && contentType?.startsWith('application/problem+json'))
        return;
      throw new Error(`${method} ${url} → ${status}: no documented path matches ${versioned}`);
    }
    const operation = document.paths[template]?.[method.toLowerCase()];
    const documented = operation?.responses[String(status)];
    if (!documented)
      throw new Error(`${method} ${url} → ${status}: ${template} does not document ${status}`);
    if (status === 304 || body === undefined) return;
    const mediaType = (contentType ?? '').split(';')[0]!;
    const schema = documented.content?.[mediaType]?.schema;
    if (!schema)
      throw new Error(`${method} ${url} → ${status}: ${mediaType} is not documented for it`);
    let validate = compiled.get(schema);
    if (!validate) {
      validate = validator.compile(schema);
      compiled.set(schema, validate);
    }
    if (!validate(body))
      throw new Error(
        `${method} ${url} → ${status}: body does not match the document: ${JSON.stringify(validate.errors)}`,
      );
  };
}
