import { describe, expect, it } from 'vitest';
import { documentIdOf, mergeDocuments, readManifest, renderStore } from './manifest.ts';

const ME = 'query Me { me { name } }';
const PLACE = 'mutation Place($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }';

describe('trusted document manifests', () => {
  it("reads Apollo's persisted query manifest, naming and typing each operation from its text", () => {
    const documents = readManifest(
      JSON.stringify({
        format: 'apollo-persisted-query-manifest',
        version: 1,
        operations: [{ id: documentIdOf(ME), name: 'Me', type: 'query', body: ME }],
      }),
    );
    expect(documents).toEqual([{ id: documentIdOf(ME), name: 'Me', type: 'query', body: ME }]);
  });

  it('reads an { id: document } map, with or without the sha256: prefix', () => {
    const documents = readManifest(
      JSON.stringify({ [documentIdOf(ME)]: ME, [`sha256:${documentIdOf(PLACE)}`]: PLACE }),
    );
    expect(documents.map(({ name, type }) => [name, type])).toEqual([
      ['Me', 'query'],
      ['Place', 'mutation'],
    ]);
  });

  it('refuses an id that is not the sha256 of its document, and a document of two operations', () => {
    const twoOperations = `${ME} query Other { me { id } }`;
    expect(() =>
      readManifest(
        JSON.stringify({ ['0'.repeat(64)]: ME, [documentIdOf(twoOperations)]: twoOperations }),
      ),
    ).toThrow(/is not the sha256 of its document[\s\S]*exactly one operation/);
  });

  it('refuses what is not a manifest', () => {
    expect(() => readManifest('[1, 2]')).toThrow(/neither an Apollo persisted query manifest/);
    expect(() => readManifest('{')).toThrow(/not JSON/);
  });

  it('merges new operations into the store, keeping those already registered, in id order', () => {
    const [me] = readManifest(JSON.stringify({ [documentIdOf(ME)]: ME }));
    const [place] = readManifest(JSON.stringify({ [documentIdOf(PLACE)]: PLACE }));
    const merged = mergeDocuments([me!], [place!, me!]);
    expect(merged.new).toBe(1);
    expect(merged.documents.map(({ id }) => id)).toEqual([me!.id, place!.id].sort());
    expect(readManifest(renderStore(merged.documents))).toEqual(merged.documents);
  });
});
