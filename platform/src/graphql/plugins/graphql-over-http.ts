import type { BaseContext, GraphQLRequestContext } from '@apollo/server';
import type { RequestHandler } from 'express';
import { GraphQLError, Kind } from 'graphql';
import Negotiator from 'negotiator';
import { AppError } from '../../errors/index.ts';
import type { ServerPlugin } from '../server-plugin.ts';

const JSON_TYPE = 'application/json';
const GRAPHQL_RESPONSE_TYPE = 'application/graphql-response+json';

/** The media type a single-result answer goes out as: what Apollo Server picks, decided here first. */
export function negotiatedResponseType(accept: string | undefined): string | undefined {
  if (accept === undefined || accept.trim() === '') return JSON_TYPE;
  return new Negotiator({ headers: { accept } }).mediaType([JSON_TYPE, GRAPHQL_RESPONSE_TYPE]);
}

/**
 * The cross-site request rule, stated for our endpoint. A POST must say `application/json`
 * (utf-8): browsers can only send a form's media types without a CORS preflight, so no page on
 * another origin can make a mutation happen. A GET may run queries only (Apollo Server refuses
 * any other operation over GET with 405), which is why standard clients' default GET queries
 * (urql, Apollo Client's `useGETForQueries`) work without an extra header. Manifold
 * authenticates with bearer tokens and API keys, never ambient cookies, so a GET cannot read
 * anything on a victim's behalf either.
 */
function postMustBeJson(): RequestHandler {
  return (req, _res, next) => {
    if (req.method !== 'POST') {
      next();
      return;
    }
    const [type = '', ...parameters] = (req.headers['content-type'] ?? '').split(';');
    const charset = parameters
      .map((parameter) => parameter.trim().toLowerCase())
      .find((parameter) => parameter.startsWith('charset='))
      ?.slice('charset='.length)
      .replaceAll('"', '');
    if (type.trim().toLowerCase() !== JSON_TYPE || (charset !== undefined && charset !== 'utf-8'))
      throw new AppError(
        'UNSUPPORTED_MEDIA_TYPE',
        'A GraphQL POST must be sent as application/json (utf-8)',
      );
    next();
  };
}

/** GraphQL request errors (nothing was executed) that the specification answers with 400. */
const isRequestError = (context: GraphQLRequestContext<BaseContext>): boolean => {
  const { body, http } = context.response;
  return (
    http.status === 400 &&
    body?.kind === 'single' &&
    body.singleResult.data === undefined &&
    (body.singleResult.errors?.length ?? 0) > 0
  );
};

/**
 * The GraphQL-over-HTTP specification where Apollo Server leaves it to us:
 * - a POST that is not JSON is refused (415), which is also the CSRF rule (see postMustBeJson);
 * - an `operationName` naming no operation of the document, or a document of several operations
 *   without one, is the client's mistake: 400 OPERATION_RESOLUTION_FAILURE, never a 500;
 * - `application/json` clients get 200 for request errors (parse, validation, variable coercion),
 *   as the specification says they SHOULD; `application/graphql-response+json` clients keep 400.
 */
export function useGraphQLOverHttp<TContext extends BaseContext>(): ServerPlugin<TContext> {
  return {
    name: 'graphql-over-http',
    // Replaced by postMustBeJson: Apollo's rule also refused the GET queries standard clients send.
    serverOptions: { csrfPrevention: false },
    http: [postMustBeJson()],
    apollo: [
      {
        requestDidStart() {
          return Promise.resolve({
            didResolveOperation(context) {
              if (context.operation) return Promise.resolve();
              const named = context.request.operationName;
              const operations = context.document.definitions.filter(
                (definition) => definition.kind === Kind.OPERATION_DEFINITION,
              ).length;
              throw new GraphQLError(
                typeof named === 'string'
                  ? `The document has no operation named "${named}"`
                  : `The document has ${operations} operations: name the one to run in operationName`,
                { extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } } },
              );
            },
            willSendResponse(context) {
              const type = negotiatedResponseType(context.request.http?.headers.get('accept'));
              if (type === JSON_TYPE && isRequestError(context)) context.response.http.status = 200;
              return Promise.resolve();
            },
          });
        },
      },
    ],
  };
}
