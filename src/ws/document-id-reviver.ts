import { isRecord, namesDocument } from '../graphql/trusted-documents.js';

/**
 * graphql-ws checks that every subscribe payload has a `query` string before any hook of the server
 * runs. A payload that names a persisted document instead (`documentId`, or Apollo's
 * `extensions.persistedQuery`) gets an empty one as the message is parsed, through graphql-ws's own
 * `jsonMessageReviver`; onSubscribe then serves the document by its id, and the empty text is never
 * read. JSON.parse calls a reviver for every value, the whole message last (key ''): only a whole
 * subscribe message is looked at.
 */
export function documentIdReviver(key: string, value: unknown): unknown {
  if (key !== '' || !isRecord(value) || value.type !== 'subscribe' || !isRecord(value.payload)) return value;
  const { payload } = value;
  if (payload.query !== undefined || !namesDocument(payload)) return value;
  return { ...value, payload: { ...payload, query: '' } };
}
