import { describe, expect, it } from 'vitest';
import { docPages, readProjectFile as read } from './support/docs.js';

interface Snippet {
  file: string;
  /** The runs of lines between its `// …` lines. */
  parts: string[][];
}

/**
 * The code blocks of a page that start with `// From <file>`: trimmed copies of that file, each run of
 * lines between two `// …` lines as it is there. Lines are compared without their indentation, as a
 * part taken out of a function body reads better flush left.
 */
function snippets(page: string): Snippet[] {
  return [...page.matchAll(/^```\w*\n\/\/ From (\S+).*\n([\s\S]*?)^```$/gm)].map(([, file, body]) => {
    const parts: string[][] = [[]];
    for (const line of body!.trimEnd().split('\n')) {
      if (line.trim() === '// …') parts.push([]);
      else parts.at(-1)!.push(line.trim());
    }
    return { file: file!, parts: parts.filter((part) => part.length > 0) };
  });
}

/** Whether `part` is a run of consecutive lines of `source`, indentation aside. */
function holds(source: string, part: string[]): boolean {
  const lines = source.split('\n').map((line) => line.trim());
  return lines.some((_, start) => part.every((line, i) => lines[start + i] === line));
}

describe("the docs' copies of the examples (README.md and docs/)", () => {
  const found = docPages().flatMap((page) => snippets(read(page)));

  it('should include the Bull Board mount', () => {
    expect(found.map(({ file }) => file)).toContain('examples/bull-board.ts');
  });

  it.each(found.flatMap(({ file, parts }) => parts.map((part) => [file, part[0], part] as const)))(
    'should be a copy of %s, from %s on',
    (file, _first, part) => {
      expect(holds(read(file), part)).toBe(true);
    },
  );
});
