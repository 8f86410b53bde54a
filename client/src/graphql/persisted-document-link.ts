import { ApolloLink } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import type { DocumentNode } from 'graphql';

/**
 * The id GraphQL Code Generator's client preset gave a generated document (`persistedDocuments` in
 * codegen.ts): `__meta__.hash`, its key in the manifest the API serves documents by.
 */
function documentIdOf(document: DocumentNode): string | undefined {
  const hash = (document as { __meta__?: { hash?: unknown } }).__meta__?.hash;
  return typeof hash === 'string' ? hash : undefined;
}

/**
 * Sends each generated operation by its id rather than its text, through Apollo Client's own
 * persisted query link (in `extensions.persistedQuery`), so that the dashboard works where the API
 * runs nothing else (TRUSTED_DOCUMENTS=only). When the API answers that it does not serve the id
 * (TRUSTED_DOCUMENTS=off, or a manifest older than the page), the link sends the text instead, from
 * then on. Over graphql-ws the text goes along with the id; the API does not read it when it knows
 * the id.
 */
export function persistedDocumentLink(): ApolloLink {
  const byId = new PersistedQueryLink({
    generateHash: (document) => documentIdOf(document)!,
    disable: ({ meta }) => meta.persistedQueryNotSupported || meta.persistedQueryNotFound,
  });
  return ApolloLink.split(({ query }) => documentIdOf(query) !== undefined, byId);
}
