import type { SchemaChange } from '../composition/protocol.ts';
import { typeOfCoordinate, type CoordinateUse } from '../store/store.ts';

/** What recorded usage a change touches: coordinates as they are, or every coordinate of a type. */
export interface UsageKeys {
  coordinates: string[];
  types: string[];
}

/** Change types where the path names something new, so the users to look for are its parent's. */
const ADDED_TO_PARENT = new Set(['FIELD_ARGUMENT_ADDED']);
const ADDED_TO_TYPE = new Set(['INPUT_FIELD_ADDED']);

/**
 * The usage a change affects, from graphql-inspector's path: `Type` → any coordinate of the type;
 * `Type.field` → that field (or input field, or enum value); `Type.field.arg` → the argument
 * (`Type.field(arg:)`); a required argument added → every use of the field; a required input
 * field added → every use of the input type.
 */
export function usageKeys(change: SchemaChange): UsageKeys {
  const parts = change.path?.split('.') ?? [];
  const [type, field, argument] = parts;
  if (type === undefined || type.startsWith('@')) return { coordinates: [], types: [] };
  if (field === undefined || ADDED_TO_TYPE.has(change.type))
    return { coordinates: [], types: [type] };
  if (argument === undefined || ADDED_TO_PARENT.has(change.type))
    return { coordinates: [`${type}.${field}`], types: [] };
  return { coordinates: [`${type}.${field}(${argument}:)`], types: [] };
}

export const touches = (keys: UsageKeys, use: CoordinateUse) =>
  keys.coordinates.includes(use.coordinate) ||
  keys.types.includes(typeOfCoordinate(use.coordinate));

export interface OperationImpact {
  hash: string;
  name: string | null;
  count: number;
  clients: { name: string | null; version: string | null; count: number }[];
}

export interface UsageImpact {
  count: number;
  operations: OperationImpact[];
}

/**
 * The operations (and their clients) behind `uses`, counted once per operation and client even
 * when the change touches several of its coordinates; busiest first.
 */
export function summarizeImpact(uses: readonly CoordinateUse[]): UsageImpact | null {
  if (uses.length === 0) return null;
  const operations = new Map<string, OperationImpact>();
  const seen = new Set<string>();
  for (const use of uses) {
    const clientKey = `${use.operationHash}\u0000${use.clientName ?? ''}\u0000${use.clientVersion ?? ''}`;
    if (seen.has(clientKey)) continue;
    seen.add(clientKey);
    let operation = operations.get(use.operationHash);
    if (!operation) {
      operation = { hash: use.operationHash, name: use.operationName, count: 0, clients: [] };
      operations.set(use.operationHash, operation);
    }
    operation.count += use.count;
    operation.clients.push({ name: use.clientName, version: use.clientVersion, count: use.count });
  }
  const sorted = [...operations.values()].sort((a, b) => b.count - a.count);
  for (const operation of sorted) operation.clients.sort((a, b) => b.count - a.count);
  return { count: sorted.reduce((sum, operation) => sum + operation.count, 0), operations: sorted };
}
