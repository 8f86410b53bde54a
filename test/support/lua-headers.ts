import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scriptsDir } from '../../core/lua-source.js';

/** What a script's header (BullMQ's convention) declares. */
export interface LuaHeader {
  /** `KEYS[n]` or `KEYS[from..to]`; `optional` when it says "only for". */
  keys: { from: number; to: number; optional: boolean; text: string }[];
  argv: { index: number; text: string }[];
  output: string;
  events: string;
}

/** Every script of core/scripts/ (not its includes), by file name without `.lua`. */
export function scriptFiles(): string[] {
  return readdirSync(scriptsDir())
    .filter((file) => file.endsWith('.lua'))
    .map((file) => file.slice(0, -'.lua'.length))
    .sort();
}

export function readLuaHeader(file: string): LuaHeader {
  return parseLuaHeader(readFileSync(join(scriptsDir(), `${file}.lua`), 'utf8'));
}

export function parseLuaHeader(source: string): LuaHeader {
  const block = /^--\[\[\n([\s\S]*?)\n\]\]/.exec(source)?.[1];
  if (!block) throw new Error('no --[[ ... ]] header at the top');
  const header: LuaHeader = { keys: [], argv: [], output: '', events: '' };
  let section: 'about' | 'input' | 'output' | 'events' = 'about';
  for (const raw of block.split('\n')) {
    const line = raw.trim();
    const heading = /^(Input|Output|Events):\s*(.*)$/.exec(line);
    if (heading) {
      section = heading[1]!.toLowerCase() as 'input' | 'output' | 'events';
      if (section !== 'input') header[section] = heading[2]!;
      continue;
    }
    if (section === 'output' || section === 'events') {
      header[section] = `${header[section]} ${line}`.trim();
      continue;
    }
    if (section !== 'input') continue;
    const keys = /^KEYS\[(\d+)(?:\.\.(\d+))?\]\s+(.+)$/.exec(line);
    const argv = /^ARGV\[(\d+)\]\s+(.+)$/.exec(line);
    if (keys) {
      const [, from, to, text] = keys as unknown as [string, string, string | undefined, string];
      header.keys.push({ from: Number(from), to: Number(to ?? from), optional: text.includes('only for'), text });
    } else if (argv) {
      header.argv.push({ index: Number(argv[1]), text: argv[2]! });
    } else if (line && !line.startsWith('(')) {
      // A continued description belongs to the entry above it.
      const last = header.argv.at(-1) ?? header.keys.at(-1);
      if (!last) throw new Error(`unexpected line in Input: ${line}`);
      last.text += ` ${line}`;
    }
  }
  return header;
}

/**
 * The numbers of keys a call may have by the header: the entries always given, and with those
 * "only for" some tasks. Entries must follow one another from KEYS[1] on.
 */
export function declaredKeyCounts(header: LuaHeader): number[] {
  let next = 1;
  for (const entry of header.keys) {
    if (entry.from !== next || entry.to < entry.from) throw new Error(`KEYS[${entry.from}] is not KEYS[${next}]`);
    next = entry.to + 1;
  }
  const always = header.keys.filter((entry) => !entry.optional);
  if (always.some((entry, i) => header.keys[i] !== entry)) throw new Error('optional KEYS come last');
  const required = always.at(-1)?.to ?? 0;
  return always.length === header.keys.length ? [required] : [required, next - 1];
}
