import eslintComments from '@eslint-community/eslint-plugin-eslint-comments/configs';
import js from '@eslint/js';
import graphqlPlugin from '@graphql-eslint/eslint-plugin';
import { readFileSync } from 'node:fs';
import { buildSchema, getNamedType, isObjectType } from 'graphql';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The object types inside the task kinds' types (a result, a progress detail, the objects a kind's
 * schema nests): parts of one task, with no identity of their own, whatever kinds tasks/ holds.
 */
function partsOfTasks() {
  const schema = buildSchema(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'));
  const task = schema.getType('Task');
  const parts = new Set();
  const visit = (type) => {
    for (const field of Object.values(type.getFields())) {
      const named = getNamedType(field.type);
      if (!isObjectType(named) || named.getInterfaces().includes(task) || parts.has(named.name)) continue;
      parts.add(named.name);
      visit(named);
    }
  };
  for (const kind of schema.getPossibleTypes(task)) visit(kind);
  return [...parts];
}

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'coverage/',
      '.data/',
      'client/dist/',
      'client/src/graphql/generated/',
      'cli/graphql/generated/',
    ],
  },
  {
    files: ['**/*.{js,mjs,ts,tsx}'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended, eslintComments.recommended],
    rules: {
      'no-console': 'error',
      // A rule turned off in the code says why: `// eslint-disable-next-line rule -- the reason`.
      '@eslint-community/eslint-comments/require-description': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // Class names passed to type-graphql are typed as Function there.
      '@typescript-eslint/no-unsafe-function-type': 'off',
    },
  },
  {
    // Everything but the browser's code runs on Node: its globals are known, so a local `process` is caught.
    // The browser's own (`event`, `name`, `close`, `document`…) are words too common to keep clear of.
    files: ['**/*.{js,mjs,ts,tsx}'],
    ignores: ['client/src/**'],
    languageOptions: { globals: globals.node },
  },
  {
    // Rules that read types: every TypeScript file belongs to tsconfig.json or client/tsconfig.json.
    files: ['**/*.{ts,tsx}'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // graphql-ws's dispose() answers `void | Promise<void>`: awaiting all of them is right.
      '@typescript-eslint/await-thenable': ['error', { allowMixedPromiseArrays: true }],
      // Replaced by its TypeScript version, which tells a type from a value of the same name.
      'no-shadow': 'off',
      // The ws package's class is imported under its own name, WebSocket, wherever a socket is opened.
      '@typescript-eslint/no-shadow': ['error', { builtinGlobals: true, allow: ['WebSocket'] }],
    },
  },
  {
    // The worker's run path stays small enough to read and change safely: one concept per file.
    files: ['worker/**/*.ts'],
    rules: {
      'max-lines': ['error', { max: 250 }],
      'max-lines-per-function': ['error', { max: 80 }],
    },
  },
  {
    // Plain JavaScript files have no types to read.
    files: ['**/*.{js,mjs}'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    files: ['test/**'],
    rules: {
      // Test code reads GraphQL answers loosely on purpose; the assertions check their shape.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // schema.graphql, as the code emits it (`npm run schema`): every part of it described, and
    // graphql-eslint's schema rules, less those that do not fit this schema.
    files: ['schema.graphql'],
    languageOptions: {
      parser: graphqlPlugin.parser,
      parserOptions: { graphQLConfig: { schema: 'schema.graphql' } },
    },
    plugins: { '@graphql-eslint': graphqlPlugin },
    rules: {
      ...graphqlPlugin.configs['flat/schema-all'].rules,
      '@graphql-eslint/require-description': [
        'error',
        {
          types: true,
          FieldDefinition: true,
          InputValueDefinition: true, // arguments and input fields
          EnumValueDefinition: true,
          DirectiveDefinition: true,
          // type-graphql builds Query, Mutation and Subscription itself and takes no description for
          // them; their fields are described, and those are what a reader looks up.
          ignoredSelectors: ['ObjectTypeDefinition[name.value=/^(Query|Mutation|Subscription)$/]'],
        },
      ],
      '@graphql-eslint/strict-id-in-types': [
        'error',
        {
          acceptedIdNames: ['id'],
          acceptedIdTypes: ['ID'],
          // Parts of a task or of a page, with no identity of their own: a normalised cache keeps
          // them inside the object that holds them. A kind is named by its name and read whole.
          exceptions: {
            types: [...new Set(['PageInfo', 'TaskMinute', 'TaskKindInfo', ...partsOfTasks()])],
            suffixes: ['Result', 'Connection'],
          },
        },
      ],
      // `tasks(first, after)` pages forward only; `last` and `before` are not part of the contract.
      '@graphql-eslint/relay-arguments': ['error', { includeBoth: false }],
      // TaskConnection is part of the public API as it stands: `nodes` with no `edges`, so no edge
      // types, and a PageInfo that pages forward only (`hasNextPage`, `endCursor`).
      '@graphql-eslint/relay-connection-types': 'off',
      '@graphql-eslint/relay-edge-types': 'off',
      '@graphql-eslint/relay-page-info': 'off',
      // The file is printed by graphql-js's lexicographicSortSchema, which orders by character code
      // (`taskSchedules` before `tasks`); the rule orders ignoring case, and puts `id` first.
      '@graphql-eslint/alphabetize': 'off',
      // The contract's mutations take `id: ID!` (cancelTask, deleteTask) and `input` beside
      // `options` or `schedule`, not one `input` argument each.
      '@graphql-eslint/input-name': 'off',
      // The contract has a Mutation and a Subscription type.
      '@graphql-eslint/no-root-type': 'off',
      // The contract's deleteTask answers Boolean!, and its root fields are non-null (a missing task
      // is an error, NOT_FOUND, or null from `task`).
      '@graphql-eslint/no-scalar-result-type-on-mutation': 'off',
      '@graphql-eslint/require-nullable-result-in-root': 'off',
      // The contract's mutations answer the task itself, not a payload with a `query` field.
      '@graphql-eslint/require-field-of-type-query-in-mutation-result': 'off',
    },
  },
);
