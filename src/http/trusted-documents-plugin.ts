import type { ApolloServerPlugin, HTTPGraphQLRequest } from '@apollo/server';
import type { Context } from '../graphql/context.js';
import { documentAskOf, type DocumentResolution, type TrustedDocuments } from '../graphql/trusted-documents.js';

/** A GET's parameters as a POST body holds them; JSON that does not parse is left for Apollo to answer. */
function searchParams(search: string): Record<string, unknown> {
  const params = new URLSearchParams(search);
  let extensions: unknown;
  try {
    extensions = JSON.parse(params.get('extensions') ?? 'null');
  } catch {
    extensions = undefined;
  }
  return { query: params.get('query') ?? undefined, documentId: params.get('documentId') ?? undefined, extensions };
}

/**
 * Which document a request over HTTP runs, or why it is refused before anything of it is parsed (an
 * unknown document id; text, when TRUSTED_DOCUMENTS=only). Apollo Server answers an error thrown by
 * the context function, with its status, and runs nothing; errors thrown by requestDidStart would
 * be answered as internal ones. So the HTTP handler asks this first, keeps a trusted document in the
 * request's context, and the plugin below serves it.
 */
export function resolveHttpDocument(documents: TrustedDocuments, http: HTTPGraphQLRequest): DocumentResolution {
  const params = http.method === 'GET' ? searchParams(http.search) : http.body;
  return documents.resolve(documentAskOf(params), { apq: documents.mode !== 'only' });
}

/**
 * Serves the manifests' documents by id over HTTP, POST and GET alike: a request that names one
 * (`documentId`, or Apollo's `extensions.persistedQuery` with a manifest's hash) gets its text as
 * `request.query` before Apollo looks at it, so Apollo's document store, validation, plugins and
 * execution see it as any other operation. The persisted query extension goes with it, so that
 * Apollo's own automatic persisted queries neither look it up nor register it.
 */
export function trustedDocumentsPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ request, contextValue }) {
      const trusted = contextValue.trustedDocument;
      if (!trusted) return;
      request.query = trusted.text;
      if (request.extensions?.persistedQuery !== undefined) {
        request.extensions = Object.fromEntries(
          Object.entries(request.extensions).filter(([name]) => name !== 'persistedQuery'),
        );
      }
    },
  };
}
