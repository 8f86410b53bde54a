import type { CodegenConfig } from '@graphql-codegen/cli';
import { addTypenameSelectionDocumentTransform } from '@graphql-codegen/client-preset';

/**
 * `persistedDocuments` writes `persisted-documents.json` beside the typed documents (each document's
 * id, `sha256:` and the hash of its normalised text, to that text) and puts the id in each document
 * node's `__meta__.hash`: the API serves those documents by id (TRUSTED_DOCUMENTS).
 */
const typedDocuments = {
  preset: 'client',
  presetConfig: { fragmentMasking: false, persistedDocuments: true },
  config: {
    useTypeImports: true,
    enumsAsTypes: true,
    scalars: { DateTime: 'string', JSON: 'unknown' },
    strictScalars: true,
  },
} as const;

/**
 * Typed documents from schema.graphql and the operations of each client (`npm run codegen`): the
 * dashboard's in client/src, the command line's in cli/. Beside them, what a normalised cache needs to
 * know which types implement `Task`: both kinds have a `result` of a type of their own, and a cache
 * that guesses applies `... on SleepTask` to a CalculationTask.
 */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  ignoreNoDocuments: false,
  generates: {
    'client/src/graphql/generated/': {
      ...typedDocuments,
      documents: ['client/src/**/*.{ts,tsx}', '!client/src/graphql/generated/**'],
      // Apollo Client's cache reads `__typename` everywhere and adds it to what it sends: the
      // documents the server runs by id must hold it already.
      documentTransforms: [addTypenameSelectionDocumentTransform],
    },
    // Node's own module resolution wants the extension in relative imports.
    'cli/graphql/generated/': {
      ...typedDocuments,
      documents: ['cli/**/*.ts', '!cli/graphql/generated/**'],
      config: { ...typedDocuments.config, importExtension: '.js' },
    },
    // urql's graphcache: `cacheExchange({ schema })`, the schema minified to what a cache reads.
    'client/src/graphql/generated/schema.ts': {
      plugins: ['urql-introspection'],
      config: { useTypeImports: true },
    },
    // Apollo Client: `new InMemoryCache({ possibleTypes })`.
    'client/src/graphql/generated/possible-types.ts': {
      plugins: ['fragment-matcher'],
      config: { deterministic: true },
    },
  },
};

export default config;
