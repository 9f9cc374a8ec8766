import fc from 'fast-check';

/** A JSON Schema (2020-12, OpenAPI 3.1's dialect), as the services' documents write them. */
export type Schema = Record<string, unknown>;

/**
 * Values a schema cannot describe but a service's inputs need to reach its deeper paths (a
 * subgraph's SDL, a version that exists), by property or parameter name: generated alongside
 * the schema's own values, wherever a property of that name appears.
 */
export type NamedArbitraries = Readonly<Record<string, fc.Arbitrary<unknown>>>;

/** The schema's values for a property or parameter, and the named ones for that name, if any. */
export function valuesFor(
  name: string,
  schema: Schema | undefined,
  components: Record<string, Schema>,
  named: NamedArbitraries,
  depth = 0,
): fc.Arbitrary<unknown> {
  const generic = arbitraryFor(schema, components, depth, named);
  const known = Object.hasOwn(named, name) ? named[name] : undefined;
  return known === undefined
    ? generic
    : fc.oneof({ weight: 3, arbitrary: known }, { weight: 1, arbitrary: generic });
}

const MAX_DEPTH = 4;

/** Values that are no value of any documented type, or are one only at the edges. */
export const oddJson = fc.oneof(
  fc.constantFrom(
    null,
    '',
    ' ',
    '0',
    '-1',
    '1e3',
    '0x10',
    '07',
    'NaN',
    '\u0000',
    'é',
    '\ud83d\ude00',
  ),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, -1, 0.5, 1e308, true, [], {}),
  fc.string({ maxLength: 20 }),
  fc.jsonValue({ maxDepth: 2 }),
);

/**
 * A fast-check arbitrary for values a schema accepts, built from the schema itself (so every
 * route's generator follows its document): objects with their required properties (and some
 * optional ones), strings from their enum, pattern or format, numbers in their bounds. `$ref`s
 * are resolved against `components`. What it cannot model exactly it approximates; the facade's
 * own validation is what the fuzz then meets, so an approximation only makes more inputs invalid.
 */
export function arbitraryFor(
  schema: Schema | undefined,
  components: Record<string, Schema>,
  depth = 0,
  named: NamedArbitraries = {},
): fc.Arbitrary<unknown> {
  if (schema === undefined || depth > MAX_DEPTH) return fc.constant(null);
  const ref = schema['$ref'];
  if (typeof ref === 'string') {
    const name = ref.split('/').at(-1) ?? '';
    return arbitraryFor(components[name], components, depth + 1, named);
  }
  if ('const' in schema) return fc.constant(schema['const']);
  if (Array.isArray(schema['enum']) && schema['enum'].length > 0)
    return fc.constantFrom(...(schema['enum'] as unknown[]));
  for (const key of ['oneOf', 'anyOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0)
      return fc.oneof(
        ...(options as Schema[]).map((option) =>
          arbitraryFor(option, components, depth + 1, named),
        ),
      );
  }
  if (Array.isArray(schema['allOf']) && schema['allOf'].length > 0)
    return arbitraryFor(mergeAll(schema['allOf'] as Schema[]), components, depth + 1, named);
  const type = schema['type'];
  if (Array.isArray(type))
    return fc.oneof(
      ...(type as string[]).map((one) =>
        arbitraryFor({ ...schema, type: one }, components, depth, named),
      ),
    );
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({
        min: bound(schema['minimum'], schema['exclusiveMinimum'], 1, -1_000_000),
        max: bound(schema['maximum'], schema['exclusiveMaximum'], -1, 1_000_000),
      });
    case 'number':
      return fc
        .integer({
          min: bound(schema['minimum'], schema['exclusiveMinimum'], 1, -1_000_000),
          max: bound(schema['maximum'], schema['exclusiveMaximum'], -1, 1_000_000),
        })
        .map((value) => value / (schema['multipleOf'] === undefined ? 4 : 1));
    case 'string':
      return stringFor(schema);
    case 'array': {
      const items = arbitraryFor(
        schema['items'] as Schema | undefined,
        components,
        depth + 1,
        named,
      );
      const minLength = Number(schema['minItems'] ?? 0);
      return fc.array(items, {
        minLength,
        maxLength: Math.min(Number(schema['maxItems'] ?? minLength + 3), minLength + 3),
      });
    }
    case 'object':
    case undefined: {
      const properties = (schema['properties'] ?? {}) as Record<string, Schema>;
      if (Object.keys(properties).length === 0 && type === undefined)
        return fc.jsonValue({ maxDepth: 1 });
      const required = new Set((schema['required'] ?? []) as string[]);
      return fc.record(
        Object.fromEntries(
          Object.entries(properties).map(([name, property]) => [
            name,
            valuesFor(name, property, components, named, depth + 1),
          ]),
        ),
        { requiredKeys: [...required].filter((name) => name in properties) },
      );
    }
    default:
      return fc.jsonValue({ maxDepth: 1 });
  }
}

function bound(inclusive: unknown, exclusive: unknown, step: number, fallback: number): number {
  if (typeof inclusive === 'number') return Math.max(-1_000_000, Math.min(1_000_000, inclusive));
  if (typeof exclusive === 'number') return exclusive + step;
  return fallback;
}

function stringFor(schema: Schema): fc.Arbitrary<string> {
  const minLength = Number(schema['minLength'] ?? 0);
  const maxLength = Math.min(Number(schema['maxLength'] ?? minLength + 24), minLength + 40);
  const dates = fc.date({
    min: new Date('1970-01-01'),
    max: new Date('2100-01-01'),
    noInvalidDate: true,
  });
  const format = schema['format'];
  if (format === 'date') return dates.map((date) => date.toISOString().slice(0, 10));
  if (format === 'date-time') return dates.map((date) => date.toISOString());
  if (format === 'uuid') return fc.uuid();
  if (format === 'email') return fc.emailAddress();
  const pattern = schema['pattern'];
  if (typeof pattern === 'string') {
    try {
      return fc.stringMatching(new RegExp(pattern, 'u'), { maxLength: Math.max(maxLength, 64) });
    } catch {
      // a pattern fast-check cannot generate from: any string (the facade's check decides)
    }
  }
  return fc.string({ minLength, maxLength, unit: 'grapheme' });
}

function mergeAll(schemas: readonly Schema[]): Schema {
  return schemas.reduce<Schema>(
    (merged, schema) => ({
      ...merged,
      ...schema,
      properties: { ...(merged['properties'] as object), ...(schema['properties'] as object) },
      required: [
        ...((merged['required'] as string[] | undefined) ?? []),
        ...((schema['required'] as string[] | undefined) ?? []),
      ],
    }),
    {},
  );
}
