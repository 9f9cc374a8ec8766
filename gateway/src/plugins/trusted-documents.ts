import { callerOf } from '@manifold/platform/contracts';
import { AppError } from '@manifold/platform/errors';
import type { ServerPlugin } from '@manifold/platform/graphql';
import type { RequestHandler } from 'express';
import type { GatewayContext } from '../context.ts';
import { graphqlParamsOf } from '../http/graphql-params.ts';
import { sendGraphQLError } from '../http/send-graphql-error.ts';
import type { TrustedDocuments } from '../trusted-documents/store.ts';

export interface TrustedDocumentsOptions {
  /** The registered operations (the store file, reloaded when it changes). */
  documents: () => TrustedDocuments;
  /**
   * Clients (the authenticated caller's `clientId`; `anonymous` for callers without credentials,
   * `*` for every client) that may run registered operations only.
   */
  onlyClients: ReadonlySet<string>;
}

/** `sha256:<hex>` (the GraphQL-over-HTTP persisted documents syntax) or bare hex. */
const bareId = (documentId: string) => documentId.replace(/^sha256:/, '').toLowerCase();

/**
 * Trusted documents: operations first-party apps registered at build time
 * (`npm run trusted-documents -- add <manifest>`), run by id. A request names one by `documentId`
 * or by the APQ extension's `persistedQuery.sha256Hash`; the registered text is what runs,
 * whatever text came with it. Clients in `onlyClients` may run nothing else:
 * TRUSTED_DOCUMENT_REQUIRED for an ad-hoc query, TRUSTED_DOCUMENT_NOT_FOUND for an unknown id.
 * Everyone else keeps ad-hoc queries and automatic persisted queries. Runs after authentication
 * (it needs the client) and before the operation limits (which then see the registered text).
 */
export function useTrustedDocuments({
  documents,
  onlyClients,
}: TrustedDocumentsOptions): ServerPlugin<GatewayContext> {
  const everyone = onlyClients.has('*');
  const middleware: RequestHandler = (req, res, next) => {
    const trustedOnly = everyone || onlyClients.has(callerOf(req).clientId);
    const registered = documents();
    for (const params of graphqlParamsOf(req)) {
      const id =
        params.documentId === undefined ? params.persistedQueryHash : bareId(params.documentId);
      const text = id === undefined ? undefined : registered.get(id);
      if (text !== undefined) {
        if (params.query !== text) params.setQuery(text);
        continue;
      }
      let refusal: AppError | undefined;
      if (params.documentId !== undefined || (trustedOnly && id !== undefined))
        refusal = new AppError(
          'TRUSTED_DOCUMENT_NOT_FOUND',
          `No registered operation has the id ${JSON.stringify(params.documentId ?? id)}`,
        );
      else if (trustedOnly)
        refusal = new AppError(
          'TRUSTED_DOCUMENT_REQUIRED',
          'This client may only run registered operations: send a documentId',
        );
      if (refusal) {
        sendGraphQLError(req, res, refusal);
        return;
      }
    }
    next();
  };
  return { name: 'trusted-documents', body: [middleware] };
}
