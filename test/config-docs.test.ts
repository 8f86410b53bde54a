import { describe, expect, it } from 'vitest';
import { variableNames } from '../core/config.js';
import { startConfigSchema } from '../scripts/start-config.js';
import { apiConfigSchema } from '../src/config.js';
import { workerConfigSchema } from '../worker/config.js';
import { readProjectFile as read } from './support/docs.js';

/** Every variable a process reads: the configuration schemas are the only place they are named. */
const variablesRead = [
  ...new Set([apiConfigSchema, workerConfigSchema, startConfigSchema].flatMap((schema) => variableNames(schema))),
].sort();

/** `NAME=value` and `# NAME=value` lines: set, or shown commented out with their default. */
function envExampleNames(text: string): string[] {
  return [...text.matchAll(/^#? ?([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]!);
}

/**
 * The names in the first column of the docs' configuration tables (`NAME`, or `A`, `B` on one
 * row): the one of docs/configuration.md, and those of a part of their own (Traces, in docs/operating.md).
 */
function docsTableNames(text: string): string[] {
  const tables = text.split(/\n\n/).filter((block) => block.startsWith('| variable'));
  const rows = tables.flatMap((table) => table.split('\n').filter((line) => line.startsWith('| `')));
  return rows.flatMap((row) => [...row.split('|')[1]!.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((match) => match[1]!));
}

describe('the documented configuration', () => {
  it.each([
    ['.env.example', envExampleNames(read('.env.example'))],
    ["the docs' tables", docsTableNames(read('docs/configuration.md') + '\n\n' + read('docs/operating.md'))],
  ])('should be what %s lists, no more and no less', (_where, names) => {
    expect([...new Set(names)].sort()).toEqual(variablesRead);
  });
});
