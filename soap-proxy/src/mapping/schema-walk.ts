import type { JsonSchema } from '../wsdl/json-schema.ts';

/** Resolves `$ref`s against the generated document's components. */
export type SchemaResolver = (schema: JsonSchema) => JsonSchema;

/**
 * Resolutions are remembered per schema object: every call reads and writes the same schemas, and
 * merging a `$ref` with its siblings anew for each element of each call was most of the mapping's
 * allocations. Resolve against finished components only (a resolution is never redone).
 */
export function createResolver(components: Record<string, JsonSchema>): SchemaResolver {
  const resolved = new WeakMap<JsonSchema, JsonSchema>();
  const resolve: SchemaResolver = (schema) => {
    if (typeof schema['$ref'] !== 'string') return schema;
    const known = resolved.get(schema);
    if (known) return known;
    let current = schema;
    for (let hops = 0; typeof current['$ref'] === 'string' && hops < 32; hops++) {
      const name = current['$ref'].replace('#/components/schemas/', '');
      const { $ref: _ref, ...siblings } = current;
      const target = components[name] ?? {};
      current = { ...target, ...siblings };
      // A property's XML object (its namespace) and its type's (a wrapped array) both hold.
      if (isRecord(target['xml']) && isRecord(siblings['xml']))
        current['xml'] = { ...target['xml'], ...siblings['xml'] };
    }
    resolved.set(schema, current);
    return current;
  };
  return resolve;
}

/** The non-null branch of `anyOf: [X, {type: null}]` / `type: [X, 'null']`, and whether null is allowed. */
export function unwrapNullable(schema: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  const anyOf = schema['anyOf'] as JsonSchema[] | undefined;
  if (anyOf?.length === 2 && anyOf.some((branch) => branch['type'] === 'null')) {
    return { schema: anyOf.find((branch) => branch['type'] !== 'null') ?? {}, nullable: true };
  }
  const type = schema['type'];
  if (Array.isArray(type) && type.includes('null')) {
    const rest = type.filter((t) => t !== 'null');
    return { schema: { ...schema, type: rest.length === 1 ? rest[0] : rest }, nullable: true };
  }
  return { schema, nullable: false };
}

/** Every property of an object schema, through `allOf` (extensions) and `$ref`s. */
export function objectProperties(
  schema: JsonSchema,
  resolve: SchemaResolver,
): Record<string, JsonSchema> {
  const resolved = resolve(schema);
  const own = (resolved['properties'] ?? {}) as Record<string, JsonSchema>;
  const inherited = ((resolved['allOf'] ?? []) as JsonSchema[]).map((part) =>
    objectProperties(part, resolve),
  );
  return Object.assign({}, ...inherited, own) as Record<string, JsonSchema>;
}

/** Whether an object schema takes properties it does not list (xsd:any, anyAttribute), here or in a base. */
export function isOpenObject(schema: JsonSchema, resolve: SchemaResolver): boolean {
  const resolved = resolve(schema);
  return (
    resolved['additionalProperties'] === true ||
    ((resolved['allOf'] ?? []) as JsonSchema[]).some((part) => isOpenObject(part, resolve))
  );
}

export function schemaKind(
  schema: JsonSchema,
  resolve: SchemaResolver,
): 'array' | 'object' | 'integer' | 'number' | 'boolean' | 'string' | 'any' {
  const resolved = resolve(schema);
  // A union of types (a decimal clients may send as a number) is read by its first.
  const declared: unknown = resolved['type'];
  const type: unknown = Array.isArray(declared) ? (declared as unknown[])[0] : declared;
  if (
    type === 'array' ||
    type === 'object' ||
    type === 'integer' ||
    type === 'number' ||
    type === 'boolean' ||
    type === 'string'
  )
    return type;
  if (resolved['allOf'] !== undefined || resolved['properties'] !== undefined) return 'object';
  return 'any';
}

/** A JSON object (not an array, a date or null). */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
