import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { measureDocument } from './operation-shape.ts';

const shapeOf = (text: string) => measureDocument(parse(text));

describe('measureDocument', () => {
  it('measures depth, aliases, root fields, directives and fields of a plain operation', () => {
    expect(
      shapeOf(`query Q($skip: Boolean! @deprecated) @live {
        a: user(id: 1) { name orders { id } }
        b: user(id: 2) @skip(if: $skip) { name }
        me { id }
      }`),
    ).toEqual({ depth: 3, aliases: 2, rootFields: 3, directives: 3, fields: 8 });
  });

  it('expands fragments and inline fragments where they are spread, each time', () => {
    expect(
      shapeOf(`
        { user { ...F ...F ... on User { x: id @include(if: true) } } }
        fragment F on User { first: name orders { edges { node { id } } } }`),
    ).toEqual({ depth: 5, aliases: 3, rootFields: 1, directives: 1, fields: 12 });
  });

  it('counts root fields reached through fragments', () => {
    expect(shapeOf('{ ...Root a } fragment Root on Query { b c d }').rootFields).toBe(4);
  });

  it('takes each measure from the largest operation of the document, not the one named', () => {
    const shape = shapeOf(`
      query Small { a }
      query Deep { a { b { c { d } } } }
      query Wide { x: a y: a z: a }`);
    expect(shape).toMatchObject({ depth: 4, aliases: 3, rootFields: 3 });
  });

  it('counts an exponential fragment expansion in linear time, as the expansion would', () => {
    // F0 spreads F1 twice, F1 spreads F2 twice…: 2^40 fields once expanded, from 40 short fragments.
    const levels = 40;
    const fragments = Array.from({ length: levels }, (_, level) =>
      level === levels - 1
        ? `fragment F${level} on User { name }`
        : `fragment F${level} on User { ...F${level + 1} ...F${level + 1} }`,
    );
    const shape = shapeOf(`{ user { ...F0 } } ${fragments.join('\n')}`);
    expect(shape.fields).toBe(2 ** (levels - 1) + 1);
    expect(shape.depth).toBe(2);
  });

  it('survives fragment cycles (which validation refuses later), counting the cycle as nothing', () => {
    expect(
      shapeOf('{ user { ...A } } fragment A on User { id ...B } fragment B on User { name ...A }'),
    ).toMatchObject({ depth: 2, fields: 3 });
  });

  it('ignores spreads of fragments the document does not define', () => {
    expect(shapeOf('{ user { ...Missing } }')).toMatchObject({ depth: 1, fields: 1 });
  });
});
