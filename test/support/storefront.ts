/** The query every change must keep answering (DESIGN.md), in one request through the gateway. */
export const STOREFRONT_QUERY = /* GraphQL */ `
  query Storefront($userId: ID!) {
    user(id: $userId) {
      name
      tier
      orders(first: 3) {
        totalCount
        edges {
          node {
            number
            status
            total {
              amount
              currency
            }
            lines {
              quantity
              product {
                sku
                name
                price {
                  amount
                  currency
                }
                shippingEstimate {
                  amount
                }
                averageRating
                articles {
                  title
                  author {
                    name
                  }
                }
              }
            }
          }
        }
      }
    }
    products(first: 5) {
      edges {
        node {
          name
          reviews(first: 2) {
            rating
            author {
              name
            }
          }
        }
      }
    }
  }
`;

export interface StorefrontData {
  user: {
    name: string;
    tier: string;
    orders: {
      totalCount: number;
      edges: {
        node: {
          number: string;
          status: string;
          total: { amount: string; currency: string };
          lines: {
            quantity: number;
            product: {
              sku: string;
              name: string;
              price: { amount: string; currency: string };
              shippingEstimate: { amount: string } | null;
              averageRating: number | null;
              articles: { title: string; author: { name: string } | null }[];
            } | null;
          }[];
        };
      }[];
    };
  } | null;
  products: {
    edges: {
      node: { name: string; reviews: { rating: number; author: { name: string } | null }[] };
    }[];
  };
}
