import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { projectRoot } from './project-root.js';

/** The Lua scripts stay beside the sources: the service reads them there, run from source or from dist/. */
export function scriptsDir(): string {
  return join(projectRoot(import.meta.url), 'core', 'scripts');
}

const INCLUDE = /^--- @include "([^"]+)"[ \t]*$/gm;

/**
 * A script's text with its includes in place, as BullMQ writes its own: each line
 * `--- @include "path"` (relative to the file that has it, `.lua` left out) becomes that file's
 * text, its own includes resolved in turn. A file already included is left out the next time, so
 * that every helper is defined once however many includes need it.
 */
export function luaSource(file: string, dir: string = scriptsDir()): string {
  return expand(resolve(dir, `${file}.lua`), new Set());
}

function expand(path: string, included: Set<string>): string {
  included.add(path);
  return readFileSync(path, 'utf8').replace(INCLUDE, (_line, include: string) => {
    const target = resolve(dirname(path), `${include}.lua`);
    return included.has(target) ? '' : expand(target, included);
  });
}
