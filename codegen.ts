import type { CodegenConfig } from '@graphql-codegen/cli';

/** Typed documents for the client from schema.graphql and the operations in client/src (`npm run codegen`). */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['client/src/**/*.{ts,tsx}', '!client/src/graphql/generated/**'],
  ignoreNoDocuments: false,
  generates: {
    'client/src/graphql/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string' },
        strictScalars: true,
      },
    },
  },
};

export default config;
