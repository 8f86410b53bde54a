import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createKeys, INDEXES_PER_SCOPE } from '../core/keys.js';
import { luaSource, scriptsDir } from '../core/lua-source.js';
import { keyCounts, scriptLayouts } from '../core/redis-scripts.js';
import { declaredKeyCounts, readLuaHeader, scriptFiles } from './support/lua-headers.js';

const layouts = Object.entries(scriptLayouts);

describe('the Lua scripts', () => {
  it('should be the scripts the TypeScript side defines, one file each', () => {
    expect(scriptFiles()).toEqual(layouts.map(([, layout]) => layout.file).sort());
  });

  describe.each(layouts)('%s', (_name, layout) => {
    const header = readLuaHeader(layout.file);
    const body = luaSource(layout.file);

    it('should name its KEYS, ARGV, output and events in its header', () => {
      expect(header.keys.length).toBeGreaterThan(0);
      expect(header.argv.map((entry) => entry.index)).toEqual(layout.argv.map((_, i) => i + 1));
      expect(header.output).not.toBe('');
      expect(header.events).not.toBe('');
    });

    it('should declare the keys its wrapper passes, the task indexes where the wrapper puts them', () => {
      expect(declaredKeyCounts(header)).toEqual(keyCounts(layout));
      let position = 1;
      for (const key of layout.keys) {
        const entry = header.keys.find((candidate) => candidate.from === position)!;
        if (key === 'indexes') {
          expect(entry.to - entry.from + 1, `KEYS[${position}..]`).toBe(INDEXES_PER_SCOPE);
          const owners = header.keys.find((candidate) => candidate.from === entry.to + 1)!;
          expect(owners).toMatchObject({ to: entry.to + INDEXES_PER_SCOPE, optional: true });
          expect(owners.text).toMatch(/owner/);
          position += INDEXES_PER_SCOPE;
        } else {
          expect(entry.to, `KEYS[${position}] is one key`).toBe(entry.from);
          position += 1;
        }
      }
    });

    it('should read no KEYS or ARGV entry beyond those its header declares, and build no key', () => {
      const highest = (pattern: RegExp) => Math.max(0, ...[...body.matchAll(pattern)].map((match) => Number(match[1])));
      expect(highest(/KEYS\[(\d+)\]/g)).toBeLessThanOrEqual(Math.max(...declaredKeyCounts(header)));
      expect(highest(/ARGV\[(\d+)\]/g)).toBeLessThanOrEqual(header.argv.length);
      expect(body).not.toMatch(/@include/);
      // Key names are built in core/keys.ts only: a script that joins strings into a key builds one.
      expect(body).not.toMatch(/\.\.\s*'[^']*:/);
    });
  });

  it('should read a task indexes in the order core/keys.ts builds them', () => {
    const include = readFileSync(join(scriptsDir(), 'includes', 'indexes.lua'), 'utf8');
    const order = /order: (.*)/.exec(include)![1]!.split(', ');
    const prefix = '{p}:index:';
    const built = createKeys('{p}').taskIndexes({ name: 'name', owner: null });
    expect(built.map((key) => key.slice(prefix.length).replace(/^name:name/, 'name'))).toEqual(order);
    const offsets = /STATE_OFFSETS = \{ (.*) \}/.exec(include)![1]!;
    const states = order.filter((entry) => entry.startsWith('state:')).map((entry) => entry.slice('state:'.length));
    expect(offsets).toBe(states.map((state, i) => `${state} = ${i}`).join(', '));
  });
});
