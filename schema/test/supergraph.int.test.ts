import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { composeSupergraph } from '../src/compose.ts';
import { ERRORS_DOC_PATH, renderErrorsDoc } from '../src/errors-doc.ts';
import { SUPERGRAPH_PATH } from '../src/subgraphs.ts';

describe('schema/supergraph.graphql', () => {
  it('composes without errors', () => {
    const result = composeSupergraph();
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it('is what the subgraph SDLs compose to today (run `npm run compose` when this fails)', () => {
    const result = composeSupergraph();
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(readFileSync(SUPERGRAPH_PATH, 'utf8')).toBe(result.supergraphSdl);
  });
});

describe('schema/errors.md', () => {
  it('lists the current error catalogue (run `npm run compose` when this fails)', () => {
    expect(readFileSync(ERRORS_DOC_PATH, 'utf8')).toBe(renderErrorsDoc());
  });
});
