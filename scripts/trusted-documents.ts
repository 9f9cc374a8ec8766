// `npm run trusted-documents -- <command>`: registers the operations first-party apps send as
// trusted documents (the store: TRUSTED_DOCUMENTS_PATH, default deploy/trusted-documents.json,
// which every gateway replica reloads when it changes).
//   add <manifest>   an app's manifest, built with its release: Apollo's persisted query manifest
//                    (@apollo/generate-persisted-query-manifest) or an { "<sha256>": "<document>" }
//                    map (GraphQL Code Generator's client preset, Relay). Each id must be its
//                    document's sha256 and each document valid against the supergraph
//                    (SUPERGRAPH_PATH, default schema/supergraph.graphql); ids already there are kept.
//   list             the registered operations: id, type, name.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { buildASTSchema, parse, validate } from 'graphql';
import { GatewayEnv } from '../gateway/src/config.ts';
import {
  mergeDocuments,
  readManifest,
  renderStore,
  type TrustedDocument,
} from '../gateway/src/trusted-documents/manifest.ts';

const storePath =
  process.env['TRUSTED_DOCUMENTS_PATH'] || GatewayEnv.shape.TRUSTED_DOCUMENTS_PATH.parse(undefined);
const supergraphPath =
  process.env['SUPERGRAPH_PATH'] || GatewayEnv.shape.SUPERGRAPH_PATH.parse(undefined);
const usage = `usage: npm run trusted-documents -- add <manifest.json>
       npm run trusted-documents -- list
(store: ${storePath}; set TRUSTED_DOCUMENTS_PATH for another)`;

const readStore = (): TrustedDocument[] =>
  existsSync(storePath) ? readManifest(readFileSync(storePath, 'utf8')) : [];

/** Problems of documents that would not validate against the supergraph being served. */
function invalidAgainstSupergraph(documents: readonly TrustedDocument[]): string[] {
  const schema = buildASTSchema(parse(readFileSync(supergraphPath, 'utf8')), {
    assumeValidSDL: true,
  });
  return documents.flatMap(({ id, name, body }) =>
    validate(schema, parse(body)).map(
      (error) => `${id} (${name || 'anonymous'}): ${error.message}`,
    ),
  );
}

const [command, argument] = process.argv.slice(2);
try {
  if (command === 'add' && argument) {
    const added = readManifest(readFileSync(argument, 'utf8'));
    const problems = invalidAgainstSupergraph(added);
    if (problems.length > 0)
      throw new Error(`not valid against ${supergraphPath}:\n${problems.join('\n')}`);
    const merged = mergeDocuments(readStore(), added);
    writeFileSync(storePath, renderStore(merged.documents));
    console.error(
      `${merged.new} new of ${added.length} operations from ${argument}; ${merged.documents.length} registered in ${storePath}`,
    );
  } else if (command === 'list') {
    for (const { id, type, name } of readStore()) console.log(`${id}  ${type}  ${name}`);
  } else {
    console.error(usage);
    process.exit(2);
  }
} catch (error) {
  console.error(`trusted-documents: ${(error as Error).message}`);
  process.exit(1);
}
