import { InMemoryLRUCache, type KeyValueCache } from '@apollo/utils.keyvaluecache';
import type { DocumentNode } from 'graphql';
import { DOCUMENT_CACHE_BYTES, documentBytes, MAX_CACHED_DOCUMENT_BYTES } from '../graphql/document-bytes.js';

/**
 * Apollo's own document store (parse and validate once per text), bounded by what its documents
 * really hold: the text counts, and a document too large to be worth keeping is not kept. Apollo
 * stores only documents that passed validation, and only after the context (so the token) was accepted.
 */
export function createDocumentStore(): KeyValueCache<DocumentNode> {
  return new InMemoryLRUCache<DocumentNode>({
    maxSize: DOCUMENT_CACHE_BYTES,
    maxEntrySize: MAX_CACHED_DOCUMENT_BYTES,
    sizeCalculation: documentBytes,
  });
}
