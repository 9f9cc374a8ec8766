import { createHash } from 'node:crypto';
import { Kind, parse, type OperationTypeNode } from 'graphql';
import { z } from 'zod';

/** One operation a first-party app registered at build time. */
export interface TrustedDocument {
  /** sha256 of `body`, lower-case hex: what the app sends as `documentId` or APQ hash. */
  id: string;
  name: string;
  type: OperationTypeNode;
  body: string;
}

/** The document id of a GraphQL document's text: its sha256, hex (as APQ and Apollo's manifests). */
export const documentIdOf = (body: string): string =>
  createHash('sha256').update(body).digest('hex');

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Apollo's persisted query manifest (`@apollo/generate-persisted-query-manifest`), the format the
 * store is kept in too.
 */
const ApolloManifest = z.object({
  format: z.literal('apollo-persisted-query-manifest'),
  version: z.literal(1),
  operations: z.array(
    z.object({
      id: z.string(),
      body: z.string().min(1),
      name: z.string().optional(),
      type: z.enum(['query', 'mutation', 'subscription']).optional(),
    }),
  ),
});

/** `{ "<sha256>": "<document>" }`: GraphQL Code Generator's client preset, Relay's persisted queries. */
const KeyValueManifest = z.record(z.string(), z.string().min(1));

export const Manifest = z.union([ApolloManifest, KeyValueManifest]);

/**
 * The operations of a manifest, each checked: its id is the sha256 of its body, and its body is
 * one GraphQL operation. Throws with every problem listed.
 */
export function readManifest(text: string): TrustedDocument[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`not JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = Manifest.safeParse(json);
  if (!parsed.success)
    throw new Error(
      `neither an Apollo persisted query manifest nor an { id: document } map:\n${z.prettifyError(parsed.error)}`,
    );
  const entries =
    'format' in parsed.data && parsed.data.format === 'apollo-persisted-query-manifest'
      ? (parsed.data as z.infer<typeof ApolloManifest>).operations.map(({ id, body }) => ({
          id,
          body,
        }))
      : Object.entries(parsed.data as Record<string, string>).map(([id, body]) => ({ id, body }));
  const problems: string[] = [];
  const documents: TrustedDocument[] = [];
  for (const { id, body } of entries) {
    const bare = id.replace(/^sha256:/, '');
    const actual = documentIdOf(body);
    if (!SHA256_HEX.test(bare) || bare !== actual) {
      problems.push(`${id}: is not the sha256 of its document (which is ${actual})`);
      continue;
    }
    try {
      documents.push({ id: actual, ...operationOf(body), body });
    } catch (error) {
      problems.push(`${id}: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return documents;
}

/** Name and type of the document's one operation. */
function operationOf(body: string): { name: string; type: OperationTypeNode } {
  const operations = parse(body, { noLocation: true }).definitions.filter(
    (definition) => definition.kind === Kind.OPERATION_DEFINITION,
  );
  const [operation] = operations;
  if (operations.length !== 1 || !operation)
    throw new Error(
      `a trusted document holds exactly one operation (this one has ${operations.length})`,
    );
  return { name: operation.name?.value ?? '', type: operation.operation };
}

/** The store with `added` merged in (an id already there is kept), sorted by id for stable diffs. */
export function mergeDocuments(
  store: readonly TrustedDocument[],
  added: readonly TrustedDocument[],
): { documents: TrustedDocument[]; new: number } {
  const byId = new Map(store.map((document) => [document.id, document]));
  let fresh = 0;
  for (const document of added) {
    if (byId.has(document.id)) continue;
    byId.set(document.id, document);
    fresh++;
  }
  const documents = [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
  return { documents, new: fresh };
}

/** The store file's text: an Apollo persisted query manifest. */
export function renderStore(documents: readonly TrustedDocument[]): string {
  return `${JSON.stringify(
    {
      format: 'apollo-persisted-query-manifest',
      version: 1,
      operations: documents.map(({ id, name, type, body }) => ({ id, name, type, body })),
    },
    null,
    2,
  )}\n`;
}
