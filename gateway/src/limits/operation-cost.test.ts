import { buildSchema, Kind, parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { readCostDirectives } from './cost-directives.ts';
import { operationCost } from './operation-cost.ts';

const SDL = `
directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR
directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
type Query {
  user(id: ID!): User
  users(first: Int = 10, after: String): UserConnection
    @listSize(slicingArguments: ["first"], sizedFields: ["edges"])
  tags: [String!]!
  search(term: String @cost(weight: 5)): [User!] @listSize(assumedSize: 3)
}
type Mutation { placeOrder(id: ID!): Order! }
type User {
  id: ID!
  name: String!
  orders(first: Int = 10): OrderConnection @listSize(slicingArguments: ["first"], sizedFields: ["edges"])
  reviews(first: Int = 5): [Review!] @listSize(slicingArguments: ["first"])
  friends: [User!]
  stock: Stock @cost(weight: 10)
  warehouse: Stock
}
type Stock @cost(weight: 3) { n: Int }
type UserConnection { edges: [UserEdge!]! totalCount: Int! }
type UserEdge { node: User! }
type OrderConnection { edges: [OrderEdge!]! }
type OrderEdge { node: Order! }
type Order { id: ID! }
type Review { rating: Int! }
`;
const schema = buildSchema(SDL);
const directives = readCostDirectives(SDL);

const costOf = (text: string, variables: Record<string, unknown> = {}) => {
  const document = parse(text);
  const operation = document.definitions.find(
    (definition): definition is OperationDefinitionNode =>
      definition.kind === Kind.OPERATION_DEFINITION,
  )!;
  return operationCost({
    schema,
    document,
    operation,
    variables,
    directives,
    assumedListSize: 10,
  });
};

describe('operationCost (Federation demand control, static)', () => {
  it('prices an object 1 and a scalar 0', () => {
    expect(costOf('{ user(id: 1) { id name } }')).toBe(1);
    expect(costOf('{ tags __typename }')).toBe(0);
  });

  it("multiplies a connection's edges by its slicing argument (users(first: 100) { orders(first: 100) })", () => {
    expect(
      costOf(
        '{ users(first: 100) { totalCount edges { node { orders(first: 100) { edges { node { id } } } } } } }',
      ),
    ).toBe(1 + 100 * (1 + 1 + 1 + 100 * (1 + 1)));
  });

  it("takes the slicing argument from a variable, the variable's default, or the argument's default", () => {
    const query = 'query($n: Int) { users(first: $n) { edges { node { id } } } }';
    expect(costOf(query, { n: 3 })).toBe(1 + 3 * 2);
    expect(costOf('query($n: Int = 4) { users(first: $n) { edges { node { id } } } }')).toBe(
      1 + 4 * 2,
    );
    expect(costOf('{ users { edges { node { id } } } }')).toBe(1 + 10 * 2);
    expect(costOf('{ user(id: 1) { reviews(first: 2) { rating } } }')).toBe(1 + 2);
  });

  it('sizes a list by @listSize(assumedSize:), else by the assumed list size', () => {
    expect(costOf('{ search { id } }')).toBe(3);
    expect(costOf('{ user(id: 1) { friends { id } } }')).toBe(1 + 10);
  });

  it('adds @cost weights of fields, types and given arguments', () => {
    expect(costOf('{ user(id: 1) { stock { n } warehouse { n } } }')).toBe(1 + 10 + 3);
    expect(costOf('{ search(term: "ada") { id } }')).toBe(3 + 5);
  });

  it('prices a mutation field 10', () => {
    expect(costOf('mutation { placeOrder(id: 1) { id } }')).toBe(10);
  });

  it('prices fragments where they are spread, under the list they are spread in', () => {
    expect(
      costOf('{ user(id: 1) { ...F friends { ...F } } } fragment F on User { stock { n } }'),
    ).toBe(1 + 10 + 10 * (1 + 10));
  });
});

describe('readCostDirectives', () => {
  it('finds @cost and @listSize under the names the supergraph links them as', () => {
    const read = readCostDirectives(`
      schema @link(url: "https://specs.apollo.dev/link/v1.0")
        @link(url: "https://specs.apollo.dev/cost/v0.1", import: [{ name: "@cost", as: "@price" }]) { query: Query }
      type Query {
        a: [Int] @price(weight: 7) @cost__listSize(assumedSize: 2)
        b: Int @cost(weight: 99)
      }`);
    expect(read.fields).toEqual(new Map([['Query.a', 7]]));
    expect(read.listSizes.get('Query.a')).toEqual({
      assumedSize: 2,
      slicingArguments: [],
      sizedFields: [],
    });
  });

  it("knows @cost by the spec's own name when only @listSize is imported (as composition writes it)", () => {
    const read = readCostDirectives(`
      schema @link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@listSize"]) { query: Query }
      type Query { a: [Int] @cost(weight: 3) @listSize(assumedSize: 4) }`);
    expect(read.fields.get('Query.a')).toBe(3);
    expect(read.listSizes.get('Query.a')?.assumedSize).toBe(4);
  });
});
