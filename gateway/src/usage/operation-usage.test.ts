import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { operationUsage } from './operation-usage.ts';

const schema = buildSchema(`
  type Query { product(id: ID!): Product  products(first: Int, filter: Filter): [Product!]!  node(id: ID!): Node }
  interface Node { id: ID! }
  input Filter { search: String  price: PriceRange }
  input PriceRange { min: String  max: String }
  type Product implements Node { id: ID!  name: String!  price(currency: String): String  reviews(first: Int): [Review!]! }
  type Review { rating: Int! }
`);

describe('operationUsage', () => {
  it('lists every field, argument and input field the operation uses, through fragments', () => {
    const usage = operationUsage(
      parse(`query Catalogue($n: Int) {
        products(first: $n, filter: { search: "x", price: { min: "1" } }) { ...card }
        node(id: "1") { id ... on Product { name } }
      }
      fragment card on Product { name price(currency: "EUR") reviews(first: 2) @include(if: true) { rating } }`),
      'Catalogue',
      schema,
    );
    expect(usage.name).toBe('Catalogue');
    expect(usage.coordinates).toEqual([
      'Filter.price',
      'Filter.search',
      'Node.id',
      'PriceRange.min',
      'Product.name',
      'Product.price',
      'Product.price(currency:)',
      'Product.reviews',
      'Product.reviews(first:)',
      'Query.node',
      'Query.node(id:)',
      'Query.products',
      'Query.products(filter:)',
      'Query.products(first:)',
      'Review.rating',
    ]);
  });

  it('counts only the operation that runs, not the other ones in the document', () => {
    const document = parse('query A { product(id: "1") { name } } query B { products { id } }');
    expect(operationUsage(document, 'B', schema).coordinates).toEqual([
      'Product.id',
      'Query.products',
    ]);
  });

  it('gives operations that differ only in literals and aliases one signature and hash', () => {
    const one = operationUsage(parse('query P { product(id: "1") { name } }'), 'P', schema);
    const two = operationUsage(parse('query P { product(id: "2") { title: name } }'), 'P', schema);
    const other = operationUsage(parse('query P { product(id: "2") { id } }'), 'P', schema);
    expect(one.signature).toBe(two.signature);
    expect(one.hash).toBe(two.hash);
    expect(one.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(other.hash).not.toBe(one.hash);
  });

  it('names an anonymous operation null', () => {
    expect(operationUsage(parse('{ products { id } }'), null, schema).name).toBeNull();
  });
});
