import type { DocumentNode } from 'graphql';
import type { WireGraphQLError } from './errors.js';

/**
 * The id GraphQL Code Generator's client preset gave a document (`persistedDocuments` in
 * codegen.ts): `__meta__.hash`, the key of the document in the manifest the API serves by id.
 */
export function documentIdOf(document: DocumentNode): string | undefined {
  const hash = (document as { __meta__?: { hash?: unknown } }).__meta__?.hash;
  return typeof hash === 'string' ? hash : undefined;
}

/**
 * A document changed after codegen (by graphql's `visit`, which copies the root with its `__meta__`)
 * is not the one its id names: without the id, it goes as text.
 */
export function withoutDocumentId<T extends DocumentNode>(document: T): T {
  return { ...document, __meta__: undefined };
}

/** The API does not serve this document by id (TRUSTED_DOCUMENTS=off, or an older manifest): send its text. */
export function refusesDocumentIds(errors: readonly WireGraphQLError[] | undefined): boolean {
  return (errors ?? []).some(
    ({ extensions }) =>
      extensions?.code === 'PERSISTED_QUERY_NOT_FOUND' || extensions?.code === 'PERSISTED_QUERY_NOT_SUPPORTED',
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * graphql-ws's client checks that a subscribe payload has a `query` string, and sends what this
 * answers (its `jsonMessageReplacer`): a payload sent by `documentId` goes without its empty query.
 * JSON.stringify hands a replacer the whole message first (key '').
 */
export function withoutEmptyQuery(key: string, value: unknown): unknown {
  if (key !== '' || !isRecord(value) || value.type !== 'subscribe' || !isRecord(value.payload)) return value;
  const { query, ...payload } = value.payload;
  return query === '' && typeof payload.documentId === 'string' ? { ...value, payload } : value;
}
