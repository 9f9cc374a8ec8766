import fc from 'fast-check';
import { mutatedText } from './text-mutations.ts';
import { STOREFRONT_QUERY } from '../support/storefront.ts';

/** Real operations a client sends; the fuzzer mutates them. */
const OPERATIONS = [
  STOREFRONT_QUERY,
  '{ products(first: 5, filter: { search: "lamp", minPrice: "10.00" }) { totalCount edges { cursor node { sku name price { amount currency } } } pageInfo { hasNextPage endCursor } } }',
  'query One($id: ID!) { product(id: $id) { name reviews(first: 2) { rating body author { name } } averageRating } }',
  'mutation Place($input: PlaceOrderInput!) { placeOrder(input: $input) { id number status total { amount currency } } }',
  'fragment P on Product { sku name } query Frag { products(first: 2) { edges { node { ...P } } } }',
  '{ article(slug: "a") { title author { name } featuredProducts { sku } } users(first: 2) { edges { node { id email } } } }',
];

/** One request as it goes over the wire: method, headers, body bytes or query string. */
export interface GraphQLRequestCase {
  method: 'GET' | 'POST';
  contentType: string | undefined;
  accept: string | undefined;
  /** POST body (already bytes), or the GET query string. */
  payload: string;
}

const GRAPHQL_TOKENS = [
  '{',
  '}',
  '(',
  ')',
  '$',
  '!',
  ':',
  '...',
  '@include(if: true)',
  'query',
  'mutation',
  'fragment',
  'on',
  '"',
  '\\u',
  '#',
  ',',
  '=',
  '[',
  ']',
];

/** A real operation, then a few edits: cut, duplicate, insert GraphQL-ish or random text, truncate. */
const mutatedDocument = mutatedText(OPERATIONS, GRAPHQL_TOKENS);

const variables = fc.oneof(
  fc.constant(undefined),
  fc.record({ userId: fc.oneof(fc.constantFrom('1', '4242', '-1', ''), fc.jsonValue()) }),
  fc.record({ id: fc.jsonValue(), input: fc.jsonValue() }),
  fc.jsonValue(),
);

const operationName = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom('Storefront', 'One', 'Place', 'Nope', ''),
  fc.jsonValue(),
);

/** A GraphQL request body: well-formed with odd parts, a batch, any JSON, or not JSON at all. */
const body = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .record({ query: mutatedDocument, variables, operationName }, { requiredKeys: ['query'] })
      .map((value) => JSON.stringify(value)),
  },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.record({ query: mutatedDocument }), { maxLength: 3 })
      .map((value) => JSON.stringify(value)),
  },
  { weight: 1, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: mutatedDocument.map((query) => JSON.stringify({ query }).slice(0, -3)) },
);

const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      undefined,
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'application/graphql',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
);

const accept = fc.constantFrom(
  undefined,
  'application/json',
  'application/graphql-response+json',
  'application/graphql-response+json, application/json;q=0.9',
  'text/html',
  '*/*',
);

/** A GET: the document and friends as query parameters, some of them JSON-encoded, some not. */
const getQuery = fc
  .record({ query: mutatedDocument, variables, operationName })
  .map(({ query, variables: values, operationName: name }) => {
    const params = new URLSearchParams({ query });
    if (values !== undefined) params.set('variables', JSON.stringify(values));
    if (name !== undefined)
      params.set('operationName', typeof name === 'string' ? name : JSON.stringify(name));
    return params.toString();
  });

export const graphqlRequest: fc.Arbitrary<GraphQLRequestCase> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      method: fc.constant('POST' as const),
      contentType,
      accept,
      payload: body,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      method: fc.constant('GET' as const),
      contentType: fc.constant(undefined),
      accept,
      payload: getQuery,
    }),
  },
);
