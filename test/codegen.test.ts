import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config from '../codegen.js';
import { projectDir } from './support/stack.js';

describe('the generated client types', () => {
  it('should be what GraphQL Code Generator makes of schema.graphql now (run `npm run codegen`)', async () => {
    const outputs = await generate({ ...config, cwd: projectDir, silent: true }, false);
    expect(outputs.length).toBeGreaterThan(0);
    for (const output of outputs) {
      expect(readFileSync(join(projectDir, output.filename), 'utf8'), output.filename).toBe(output.content);
    }
  });
});
