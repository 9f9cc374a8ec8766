import { REF_PREFIX, type JsonSchema, type JsonSchemaBuilder } from '../wsdl/json-schema.ts';

/** Every `$ref` in `value` renamed by `rename` (a component name → another). */
function renameRefs<T>(value: T, rename: (name: string) => string): T {
  if (Array.isArray(value)) return value.map((entry: unknown) => renameRefs(entry, rename)) as T;
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    copy[key] =
      key === '$ref' && typeof entry === 'string' && entry.startsWith(REF_PREFIX)
        ? `${REF_PREFIX}${rename(entry.slice(REF_PREFIX.length))}`
        : renameRefs(entry, rename);
  }
  return copy as T;
}

function refsOf(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const entry of value) refsOf(entry, found);
  else if (value !== null && typeof value === 'object')
    for (const [key, entry] of Object.entries(value)) {
      if (key === '$ref' && typeof entry === 'string' && entry.startsWith(REF_PREFIX))
        found.add(entry.slice(REF_PREFIX.length));
      else refsOf(entry, found);
    }
  return found;
}

/**
 * One set of components from the two builders: clients send what input schemas describe (decimals
 * as numbers too, fixed and defaulted values optional) and are answered what output schemas
 * describe. An input component is kept (as `<Type>Input`) only where it says something else than
 * its output twin, or refers to one that does; every other input reference goes to the output
 * component. Returns the components and a function that rewrites an input schema's references.
 */
export function mergeDirections(
  output: JsonSchemaBuilder,
  input: JsonSchemaBuilder,
): { components: Record<string, JsonSchema>; inputSchema: (schema: JsonSchema) => JsonSchema } {
  // Every named type the input side built gets its output twin, for comparison.
  for (const key of input.componentNames.keys()) {
    if (output.componentNames.has(key)) continue;
    const [, ns = '', name = ''] = /^\{(.*)\}(.*)$/.exec(key) ?? [];
    output.typeRef({ ns, name }, 'input type');
  }
  const twin = new Map<string, string>();
  for (const [key, inputName] of input.componentNames)
    twin.set(inputName, output.componentNames.get(key) ?? inputName);
  const toOutput = (name: string) => twin.get(name) ?? name;

  const differs = new Set(
    [...twin].filter(
      ([inputName, outputName]) =>
        JSON.stringify(renameRefs(input.components[inputName], toOutput)) !==
        JSON.stringify(output.components[outputName]),
    ),
  );
  const different = new Set([...differs].map(([inputName]) => inputName));
  // A component that refers to a different one differs too.
  for (let changed = true; changed;) {
    changed = false;
    for (const inputName of twin.keys()) {
      if (different.has(inputName)) continue;
      if ([...refsOf(input.components[inputName])].some((ref) => different.has(ref))) {
        different.add(inputName);
        changed = true;
      }
    }
  }
  const rename = (name: string) => (different.has(name) ? name : toOutput(name));
  const components: Record<string, JsonSchema> = { ...output.components };
  for (const name of different) components[name] = renameRefs(input.components[name] ?? {}, rename);
  return { components, inputSchema: (schema) => renameRefs(schema, rename) };
}
