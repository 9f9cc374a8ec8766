import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadWsdlDocuments } from './load.ts';
import { describeWsdl } from './model.ts';

const SHAPES = fileURLToPath(new URL('../../test/fixtures/shapes.wsdl', import.meta.url));

describe('describeWsdl: SOAP headers', () => {
  it('keeps header parts out of the Body, from the operation’s own message (soap:body parts) or another', async () => {
    const model = describeWsdl(await loadWsdlDocuments(SHAPES));
    const [operation] = model.services[0]!.ports[0]!.operations;
    expect(operation!.input!.parts.map((part) => part.name)).toEqual(['body']);
    expect(
      operation!.inputHeaders.map(({ name, message, part, required }) => ({
        name,
        message: message.name,
        part: part.name,
        ns: part.element?.ns,
        required,
      })),
    ).toEqual([
      { name: 'Auth', message: 'OrderIn', part: 'auth', ns: 'urn:shapes:headers', required: false },
      {
        name: 'Locale',
        message: 'Headers',
        part: 'locale',
        ns: 'urn:shapes:headers',
        required: true,
      },
    ]);
    expect(operation!.outputHeaders.map((header) => header.name)).toEqual(['Usage']);
    expect(operation!.output!.parts.map((part) => part.name)).toEqual(['body']);
  });
});
