import { existsSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { docPages, readProjectFile as read } from './support/docs.js';
import { projectDir } from './support/stack.js';

/** Every page a reader may open: the README and docs/, and the two reports that stay at the root. */
const pages = [...docPages(), 'RELIABILITY.md', 'BENCHMARKS.md'];

/** A page's text outside its fenced code blocks, where a `#` is no heading and a `](` no link. */
function prose(text: string): string {
  return text.replace(/^```[\s\S]*?^```$/gm, '');
}

/** GitHub's anchors for a page's headings: lower case, punctuation dropped, spaces as `-`, repeats numbered. */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const found = new Set<string>();
  for (const [, heading] of prose(text).matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
    const slug = heading!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M}\p{Pc} -]/gu, '')
      .replaceAll(' ', '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    found.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return found;
}

/** The relative links of a page (`[text](target)`), images included; addresses with a scheme are left out. */
function relativeLinks(text: string): string[] {
  return [...prose(text).matchAll(/\]\(([^)\s]+)(?: "[^"]*")?\)/g)]
    .map(([, target]) => target!)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

describe('the links between the docs', () => {
  it('should find pages and links to check', () => {
    expect(pages).toContain('docs/configuration.md');
    expect(pages.flatMap((page) => relativeLinks(read(page))).length).toBeGreaterThan(20);
  });

  it.each(pages.flatMap((page) => relativeLinks(read(page)).map((target) => [page, target] as const)))(
    'should have %s point at %s, a file and heading that exist',
    (page, target) => {
      const [path, anchor] = target.split('#') as [string, string | undefined];
      const file = path === '' ? page : normalize(join(dirname(page), decodeURIComponent(path)));
      expect(existsSync(join(projectDir, file)), `${file} exists`).toBe(true);
      if (anchor !== undefined) expect([...anchors(read(file))]).toContain(anchor);
    },
  );
});
