import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectDir } from './stack.js';

/** A file of the project, by its path from the project's root. */
export function readProjectFile(file: string): string {
  return readFileSync(join(projectDir, file), 'utf8');
}

/** The reader's pages, by their path from the project's root: the README first, then `docs/`. */
export function docPages(): string[] {
  const pages = readdirSync(join(projectDir, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return ['README.md', ...pages];
}
