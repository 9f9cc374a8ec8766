// `npm run compose`: writes schema/supergraph.graphql from the four subgraph SDLs, and
// schema/errors.md from the error catalogue.
import { writeFileSync } from 'node:fs';
import { composeSupergraph } from '../src/compose.ts';
import { ERRORS_DOC_PATH, renderErrorsDoc } from '../src/errors-doc.ts';
import { SUPERGRAPH_PATH } from '../src/subgraphs.ts';

const result = composeSupergraph();
if (!result.ok) {
  console.error(`Composition failed:\n${result.errors.map((error) => `  - ${error}`).join('\n')}`);
  process.exit(1);
}
writeFileSync(SUPERGRAPH_PATH, result.supergraphSdl);
for (const hint of result.hints) console.warn(`hint: ${hint}`);
console.log(`wrote ${SUPERGRAPH_PATH}`);
writeFileSync(ERRORS_DOC_PATH, renderErrorsDoc());
console.log(`wrote ${ERRORS_DOC_PATH}`);
