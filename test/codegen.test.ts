import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config from '../codegen.js';
import { projectDir } from './support/stack.js';

describe('the generated client types', () => {
  it('should be what GraphQL Code Generator makes of schema.graphql now (run `npm run codegen`)', async () => {
    const outputs = await generate({ ...config, cwd: projectDir, silent: true }, false);
    // The typed documents, and what normalised caches need (urql's graphcache, Apollo Client).
    expect(outputs.map((output: { filename: string }) => output.filename)).toEqual(
      expect.arrayContaining([
        'client/src/graphql/generated/graphql.ts',
        'cli/graphql/generated/graphql.ts',
        'client/src/graphql/generated/schema.ts',
        'client/src/graphql/generated/possible-types.ts',
      ]),
    );
    for (const output of outputs) {
      expect(readFileSync(join(projectDir, output.filename), 'utf8'), output.filename).toBe(output.content);
    }
  });
});
