import type { Answer } from './harness.ts';
import type { GraphQLRequestCase } from './graphql-requests.ts';

/** Sends one generated request to a GraphQL endpoint exactly as generated. */
export const sendGraphQL =
  (endpoint: string) =>
  async ({ method, contentType, accept, payload }: GraphQLRequestCase): Promise<Answer> => {
    const headers: Record<string, string> = {};
    if (contentType !== undefined) headers['content-type'] = contentType;
    if (accept !== undefined) headers['accept'] = accept;
    const response =
      method === 'GET'
        ? await fetch(`${endpoint}?${payload}`, { headers })
        : await fetch(endpoint, { method, headers, body: payload });
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      body: await response.text(),
    };
  };
