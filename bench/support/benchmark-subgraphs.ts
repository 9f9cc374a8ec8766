// The four subgraphs of the standard gateway benchmark (test/fixtures/gateways-benchmark), served
// locally at /accounts, /inventory, /products and /reviews of one server, as the benchmark runs
// them. Their static data is read from the fixture's expected response itself, so the gateway's
// answer can be checked against it byte for byte.
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import express from 'express';
import { parse } from 'graphql';
import { listen } from '@manifold/platform/http';
import { REPO_ROOT } from '../../test/e2e/support/processes.ts';

export const FIXTURE = join(REPO_ROOT, 'test/fixtures/gateways-benchmark');

interface User {
  id: string;
  username: string;
  name: string;
}
interface Product {
  upc: string;
  name: string;
  price: number;
  weight: number;
  inStock: boolean;
}
interface Review {
  id: string;
  body: string;
  product: string;
  author: string;
}

/** Users, products and reviews as the expected response shows them. */
function benchmarkData() {
  const { data } = JSON.parse(readFileSync(join(FIXTURE, 'expected-response.json'), 'utf8')) as {
    data: { users: unknown[]; topProducts: unknown[] };
  };
  const users = new Map<string, User>();
  const products = new Map<string, Product>();
  const reviews = new Map<string, Review>();
  const userReviews = new Map<string, string[]>();
  type Node = Record<string, unknown> & { reviews?: Node[]; product?: Node; author?: Node };
  const visitReview = (review: Node, context: { author?: string; product?: string }) => {
    const product = (review.product?.['upc'] as string | undefined) ?? context.product ?? '';
    const author = (review.author?.['id'] as string | undefined) ?? context.author ?? '';
    reviews.set(review['id'] as string, {
      id: review['id'] as string,
      body: review['body'] as string,
      product,
      author,
    });
    if (review.product) visitProduct(review.product);
    if (review.author) visitUser(review.author);
  };
  const visitUser = (user: Node) => {
    const id = user['id'] as string;
    users.set(id, { id, username: user['username'] as string, name: user['name'] as string });
    if (user.reviews)
      userReviews.set(
        id,
        user.reviews.map((review) => review['id'] as string),
      );
    for (const review of user.reviews ?? []) visitReview(review, { author: id });
  };
  const visitProduct = (product: Node) => {
    const upc = product['upc'] as string;
    products.set(upc, {
      upc,
      name: product['name'] as string,
      price: product['price'] as number,
      weight: product['weight'] as number,
      inStock: product['inStock'] as boolean,
    });
    for (const review of product.reviews ?? []) visitReview(review, { product: upc });
  };
  for (const user of data.users) visitUser(user as Node);
  const topProducts = data.topProducts.map((product) => (product as Node)['upc'] as string);
  for (const product of data.topProducts) visitProduct(product as Node);
  return { users, products, reviews, userReviews, topProducts };
}

function resolversFor(data: ReturnType<typeof benchmarkData>) {
  const reviewsOf = (upc: string) =>
    [...data.reviews.values()].filter((review) => review.product === upc);
  return {
    accounts: {
      Query: {
        me: () => data.users.get('1'),
        user: (_: unknown, { id }: { id: string }) => data.users.get(id),
        users: () => [...data.users.values()],
      },
      User: { __resolveReference: ({ id }: { id: string }) => data.users.get(id) },
    },
    inventory: {
      Product: {
        __resolveReference: ({ upc }: { upc: string }) => data.products.get(upc),
        // As in the published benchmark: always null.
        shippingEstimate: () => null,
      },
    },
    products: {
      Query: {
        topProducts: (_: unknown, { first }: { first: number }) =>
          data.topProducts.slice(0, first).map((upc) => data.products.get(upc)),
      },
      Product: { __resolveReference: ({ upc }: { upc: string }) => data.products.get(upc) },
    },
    reviews: {
      Review: {
        __resolveReference: ({ id }: { id: string }) => data.reviews.get(id),
        author: (review: Review) => ({ __typename: 'User', ...data.users.get(review.author) }),
        product: (review: Review) => ({ __typename: 'Product', upc: review.product }),
      },
      Product: { reviews: ({ upc }: { upc: string }) => reviewsOf(upc) },
      User: {
        reviews: ({ id }: { id: string }) =>
          (data.userReviews.get(id) ?? []).map((reviewId) => data.reviews.get(reviewId)),
      },
    },
  };
}

export const BENCHMARK_SUBGRAPHS = ['accounts', 'inventory', 'products', 'reviews'] as const;

/** Serves the four subgraphs on one loopback port; `url` + `/<name>` is each one's endpoint. */
export async function serveBenchmarkSubgraphs(): Promise<{
  url: string;
  close: () => Promise<void>;
}> {
  const resolvers = resolversFor(benchmarkData());
  const app = express();
  const servers: ApolloServer[] = [];
  for (const name of BENCHMARK_SUBGRAPHS) {
    const typeDefs = parse(readFileSync(join(FIXTURE, `${name}.graphql`), 'utf8'));
    const apollo = new ApolloServer({
      schema: buildSubgraphSchema([{ typeDefs, resolvers: resolvers[name] as never }]),
    });
    await apollo.start();
    servers.push(apollo);
    app.use(`/${name}`, express.json({ limit: '10mb' }), expressMiddleware(apollo));
  }
  const { server, url }: { server: Server; url: string } = await listen(app, {
    port: 0,
    host: '127.0.0.1',
  });
  return {
    url,
    close: async () => {
      server.close();
      await Promise.all(servers.map((apollo) => apollo.stop()));
    },
  };
}
