import type { Request } from 'express';

/** One GraphQL request's parameters as the client sent them, readable and rewritable in place. */
export interface GraphQLParams {
  /** The document text, when sent. */
  readonly query: string | undefined;
  /** A trusted document's id (`documentId`, GraphQL-over-HTTP persisted documents). */
  readonly documentId: string | undefined;
  /** The APQ hash (`extensions.persistedQuery.sha256Hash`). */
  readonly persistedQueryHash: string | undefined;
  /** Sets the document text Apollo will run (and drops `documentId`, which Apollo does not know). */
  setQuery(text: string): void;
}

/**
 * The GraphQL request(s) an HTTP request carries — a POST's JSON body (one, or a batch) or a GET's
 * query string — for middleware running between the body parser and Apollo. A rewrite lands where
 * Apollo reads it: the body object, or the URL's query string.
 */
export function graphqlParamsOf(req: Request): GraphQLParams[] {
  if (req.method === 'GET') return [getParams(req)];
  const body: unknown = req.body;
  const entries = Array.isArray(body) ? (body as unknown[]) : [body];
  return entries.flatMap((entry) =>
    typeof entry === 'object' && entry !== null
      ? [bodyParams(entry as Record<string, unknown>)]
      : [],
  );
}

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

function hashOf(extensions: unknown): string | undefined {
  const persisted = (extensions as { persistedQuery?: { sha256Hash?: unknown } } | null)
    ?.persistedQuery;
  return text(persisted?.sha256Hash);
}

function bodyParams(body: Record<string, unknown>): GraphQLParams {
  return {
    query: text(body['query']),
    documentId: text(body['documentId']),
    persistedQueryHash: hashOf(body['extensions']),
    setQuery: (query) => {
      body['query'] = query;
      delete body['documentId'];
    },
  };
}

function getParams(req: Request): GraphQLParams {
  const questionMark = req.url.indexOf('?');
  const path = questionMark === -1 ? req.url : req.url.slice(0, questionMark);
  const search = new URLSearchParams(questionMark === -1 ? '' : req.url.slice(questionMark + 1));
  let extensions: unknown;
  try {
    extensions = JSON.parse(search.get('extensions') ?? 'null');
  } catch {
    // Not JSON: Apollo refuses it with its own error.
  }
  return {
    query: search.get('query') ?? undefined,
    documentId: search.get('documentId') ?? undefined,
    persistedQueryHash: hashOf(extensions),
    setQuery: (query) => {
      search.set('query', query);
      search.delete('documentId');
      req.url = `${path}?${search.toString()}`;
    },
  };
}
