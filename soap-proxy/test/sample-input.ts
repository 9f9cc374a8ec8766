// Inputs generated from an operation's published input schema, for the XSD sweep: every property
// a client may send (the first branch of each choice), two items per list, text that matches its
// pattern (fast-check), and every object's keys in an order other than the schema's.
import fc from 'fast-check';
import {
  objectProperties,
  schemaKind,
  unwrapNullable,
  type SchemaResolver,
} from '../src/mapping/schema-walk.ts';
import type { JsonSchema } from '../src/wsdl/json-schema.ts';

// Tried first: valid values of the XSD types whose patterns are lexical only (a 31 November
// matches xsd:date's pattern but is no date), then generated text.
const CANDIDATES = [
  '2026-12-03T10:00:00Z',
  '2026-12-03T10:00:00',
  '2026-12-03',
  '10:00:00',
  'P1DT2H',
  'aGVsbG8=',
  'SKU-00001',
  'EUR',
  'A1',
  'x',
];

function text(schema: JsonSchema, seed: number): string {
  const min = Number(schema['minLength'] ?? 0);
  const max = Number(schema['maxLength'] ?? Infinity);
  const fits = (value: string) => value.length >= min && value.length <= max;
  const pattern = schema['pattern'];
  if (typeof pattern !== 'string') {
    const value = 'sample'.padEnd(Math.min(Math.max(min, 1), 32), 'x');
    return value.slice(0, Number.isFinite(max) ? max : value.length);
  }
  const regex = new RegExp(pattern, 'u');
  const known = CANDIDATES.find((candidate) => regex.test(candidate) && fits(candidate));
  if (known) return known;
  const [generated] = fc.sample(
    fc
      .stringMatching(regex)
      .filter((value) => fits(value) && !/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD]/.test(value)),
    { seed, numRuns: 1 },
  );
  return generated ?? '';
}

/** The choice constraints of an object schema, through its `allOf` parts. */
function choiceBranches(schema: JsonSchema, resolve: SchemaResolver): JsonSchema[][] {
  const resolved = resolve(schema);
  const own = (['oneOf', 'anyOf'] as const)
    .map((keyword) => resolved[keyword] as JsonSchema[] | undefined)
    .filter(
      (branches): branches is JsonSchema[] =>
        Array.isArray(branches) && branches.some((b) => Array.isArray(b['required'])),
    );
  const nested = ((resolved['allOf'] ?? []) as JsonSchema[]).flatMap((part) =>
    choiceBranches(part, resolve),
  );
  return [...own, ...nested];
}

/** Reorders keys (seeded): never the schema's own order when there are two or more. */
function shuffled(record: Record<string, unknown>, seed: number): Record<string, unknown> {
  const entries = Object.entries(record);
  const [order] = fc.sample(fc.shuffledSubarray(entries, { minLength: entries.length }), {
    seed,
    numRuns: 1,
  });
  const result = order ?? entries;
  const same = result.every(([key], index) => key === entries[index]?.[0]);
  return Object.fromEntries(same ? [...entries].reverse() : result);
}

export function sampleInput(
  schema: JsonSchema,
  resolve: SchemaResolver,
  seed = 1,
  depth = 0,
): unknown {
  const resolved = resolve(schema);
  if ('const' in resolved) return resolved['const'];
  const { schema: inner } = unwrapNullable(resolved);
  const enumeration = (inner['enum'] ??
    resolve(((inner['allOf'] ?? []) as JsonSchema[])[0] ?? {})['enum']) as unknown[] | undefined;
  if (Array.isArray(enumeration) && enumeration.length > 0) return enumeration[0];
  switch (schemaKind(inner, resolve)) {
    case 'object': {
      const properties = objectProperties(inner, resolve);
      const required = new Set<string>();
      const collectRequired = (part: JsonSchema) => {
        const r = resolve(part);
        for (const name of (r['required'] ?? []) as string[]) required.add(name);
        for (const nested of (r['allOf'] ?? []) as JsonSchema[]) collectRequired(nested);
      };
      collectRequired(inner);
      const branches = choiceBranches(inner, resolve);
      const members = new Set(
        branches
          .flat()
          .flatMap((branch) => [
            ...((branch['required'] ?? []) as string[]),
            ...(
              ((branch['not'] as JsonSchema | undefined)?.['anyOf'] ?? []) as JsonSchema[]
            ).flatMap((sign) => (sign['required'] ?? []) as string[]),
          ]),
      );
      const chosen = new Set(
        branches.flatMap(
          (alternatives) =>
            (alternatives.find((b) => Array.isArray(b['required']))?.['required'] ??
              []) as string[],
        ),
      );
      const result: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(properties)) {
        const wanted = members.has(name) ? chosen.has(name) : required.has(name) || depth < 3;
        if (!wanted || (depth > 6 && !required.has(name))) continue;
        const value = sampleInput(property, resolve, seed + name.length, depth + 1);
        if (value !== undefined) result[name] = value;
      }
      return shuffled(result, seed + depth);
    }
    case 'array': {
      const min = Number(inner['minItems'] ?? 0);
      const max = Number(inner['maxItems'] ?? 2);
      const count = Math.max(min, Math.min(2, max));
      const items = (inner['items'] ?? {}) as JsonSchema;
      return Array.from({ length: count }, (_, index) =>
        sampleInput(items, resolve, seed + index, depth + 1),
      );
    }
    case 'integer': {
      const minimum = Number(inner['minimum'] ?? inner['exclusiveMinimum'] ?? 0);
      return Math.max(1, minimum + (inner['exclusiveMinimum'] === undefined ? 0 : 1));
    }
    case 'number':
      return 2.5;
    case 'boolean':
      return true;
    case 'string':
      // A decimal clients may send as a number: sent as one, to see it written exactly.
      return Array.isArray(inner['type']) && inner['type'].includes('number')
        ? 12.5
        : text(inner, seed);
    case 'any':
      return 'sample';
  }
}
