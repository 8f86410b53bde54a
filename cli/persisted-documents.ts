import type { DocumentNode } from 'graphql';

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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The API does not serve this document by id (TRUSTED_DOCUMENTS=off, or an older manifest): send its
 * text. The errors are as they came, not yet checked (graphql-answer.ts reads them afterwards).
 */
export function refusesDocumentIds(errors: readonly unknown[] | undefined): boolean {
  return (errors ?? []).some((error) => {
    const code = isRecord(error) && isRecord(error.extensions) ? error.extensions.code : undefined;
    return code === 'PERSISTED_QUERY_NOT_FOUND' || code === 'PERSISTED_QUERY_NOT_SUPPORTED';
  });
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
