import type { DocumentNode } from 'graphql';

/**
 * What a parsed document costs to keep, roughly in bytes: its tree, and the text it was parsed
 * from, which every node's location holds on to. (Measuring the tree alone, as Apollo's default
 * document store does, counts a document padded with a megabyte of comments as a few hundred bytes.)
 */
export function documentBytes(document: DocumentNode): number {
  return JSON.stringify(document).length + (document.loc?.source.body.length ?? 0);
}

/** Documents larger than this are parsed each time rather than kept: no client sends such. */
export const MAX_CACHED_DOCUMENT_BYTES = 64 * 1024;

/** What each transport's cache of parsed documents may hold in all. */
export const DOCUMENT_CACHE_BYTES = 8 * 1024 * 1024;
