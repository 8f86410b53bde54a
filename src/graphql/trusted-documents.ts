import { GraphQLError, type DocumentNode } from 'graphql';

/**
 * TRUSTED_DOCUMENTS: `off` serves operations sent as text only (and Apollo's automatic persisted
 * queries); `accept` also serves the documents of the manifests by id; `only` serves nothing else.
 */
export const TRUSTED_DOCUMENTS_MODES = ['off', 'accept', 'only'] as const;
export type TrustedDocumentsMode = (typeof TRUSTED_DOCUMENTS_MODES)[number];

/** A document of a manifest, parsed and validated once, when the API starts. */
export interface TrustedDocument {
  id: string;
  text: string;
  document: DocumentNode;
  /** What the cost limits find wrong with it (GRAPHQL_VALIDATION_FAILED), as with its text; none mostly. */
  refusals: readonly GraphQLError[];
}

/**
 * What a request says it wants run: its text (`query`), a document id (GraphQL over HTTP's
 * `documentId`), or the hash of Apollo's `extensions.persistedQuery` (the id Apollo Client's
 * persisted query link sends).
 */
export interface DocumentAsk {
  query?: string;
  documentId?: string;
  persistedQueryHash?: string;
}

export type DocumentResolution =
  /** A document of the manifests: run it; any text beside its id is not read. */
  | { kind: 'trusted'; trusted: TrustedDocument }
  /** No document of the manifests: the transport goes on as it does without them (text, Apollo's APQ). */
  | { kind: 'pass' }
  /** Refused before any of it is parsed. */
  | { kind: 'refused'; error: GraphQLError };

export interface TrustedDocuments {
  mode: TrustedDocumentsMode;
  /** The documents served by id, in all manifests. */
  size: number;
  /**
   * Which document a request runs, or why it is refused. `apq`: the transport keeps Apollo's
   * automatic persisted queries (HTTP), which may know a hash the manifests do not.
   */
  resolve(ask: DocumentAsk, transport: { apq: boolean }): DocumentResolution;
}

/** An id as long as a client likes is cut in what is answered. */
function shown(id: string): string {
  return id.length <= 100 ? id : `${id.slice(0, 100)}...`;
}

/** Apollo's codes, which Apollo Client's persisted query link and other clients act on. */
function notFound(id: string): GraphQLError {
  return new GraphQLError(
    `No persisted document with id "${shown(id)}": this server's manifests do not hold it (TRUSTED_DOCUMENTS)`,
    { extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', documentId: shown(id), http: { status: 400 } } },
  );
}

function notSupported(): GraphQLError {
  return new GraphQLError(
    "Persisted documents are off on this server (TRUSTED_DOCUMENTS=off): send the operation's text in `query`",
    { extensions: { code: 'PERSISTED_QUERY_NOT_SUPPORTED', http: { status: 400 } } },
  );
}

function textRefused(): GraphQLError {
  return new GraphQLError(
    "This server runs only its trusted documents (TRUSTED_DOCUMENTS=only): send a document's id (`documentId`) from its manifests, not the operation's text",
    { extensions: { code: 'TRUSTED_DOCUMENTS_ONLY', http: { status: 400 } } },
  );
}

/**
 * The manifests' documents by id, and the rules every transport serves them by. An id is looked up
 * and nothing the client sent is parsed unless the mode lets text through.
 */
export function createTrustedDocuments(
  mode: TrustedDocumentsMode,
  documents: ReadonlyMap<string, TrustedDocument>,
): TrustedDocuments {
  // Apollo's persisted query hash is the bare hex of a SHA-256: the same as a `sha256:` id's payload.
  const byHash = (hash: string) => documents.get(hash) ?? documents.get(`sha256:${hash}`);
  const trusted = (document: TrustedDocument): DocumentResolution => ({ kind: 'trusted', trusted: document });
  const refused = (error: GraphQLError): DocumentResolution => ({ kind: 'refused', error });

  return {
    mode,
    size: documents.size,
    resolve({ query, documentId, persistedQueryHash }, { apq }) {
      const text = query === '' ? undefined : query;
      if (documentId !== undefined) {
        if (mode === 'off') return refused(notSupported());
        const document = documents.get(documentId);
        return document ? trusted(document) : refused(notFound(documentId));
      }
      if (persistedQueryHash !== undefined) {
        const document = mode === 'off' ? undefined : byHash(persistedQueryHash);
        if (document) return trusted(document);
        // In `only` mode nothing is registered either: an APQ with its text is text.
        if (mode === 'only') return refused(text === undefined ? notFound(persistedQueryHash) : textRefused());
        if (text === undefined && !apq) return refused(notFound(persistedQueryHash));
        return { kind: 'pass' };
      }
      if (text !== undefined && mode === 'only') return refused(textRefused());
      return { kind: 'pass' };
    },
  };
}

/** A JSON object (not an array): request parameters, extensions. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The hash of Apollo's `extensions.persistedQuery` (version 1, the only one there is). */
function persistedQueryHashOf(extensions: unknown): string | undefined {
  const persisted = isRecord(extensions) ? extensions.persistedQuery : undefined;
  if (!isRecord(persisted) || persisted.version !== 1 || typeof persisted.sha256Hash !== 'string') return undefined;
  return persisted.sha256Hash;
}

/**
 * The ask of a request's parameters as they come, a POST body or a graphql-ws subscribe payload
 * (`query`, `documentId`, `extensions`); what is not a string is not a text or an id.
 */
export function documentAskOf(params: unknown): DocumentAsk {
  if (!isRecord(params)) return {};
  const { query, documentId, extensions } = params;
  return {
    query: typeof query === 'string' ? query : undefined,
    documentId: typeof documentId === 'string' ? documentId : undefined,
    persistedQueryHash: persistedQueryHashOf(extensions),
  };
}

/** True for parameters that name a persisted document, with or without text beside the name. */
export function namesDocument(params: unknown): boolean {
  const { documentId, persistedQueryHash } = documentAskOf(params);
  return documentId !== undefined || persistedQueryHash !== undefined;
}
