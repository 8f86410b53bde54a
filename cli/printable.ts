/**
 * Characters a terminal acts on instead of showing: the C0 controls (ESC opens the sequences that
 * move the cursor, clear the screen, retitle the window or set the clipboard; a newline or carriage
 * return forges a line), DEL and the C1 controls (CSI and OSC in one byte), the line and paragraph
 * separators, and the bidirectional marks, embeddings, overrides and isolates that reorder the text
 * after them.
 */
const ACTIVE_CHARACTERS = /[\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function visible(character: string): string {
  const named = NAMED[character];
  if (named) return named;
  const code = character.codePointAt(0)!;
  const hex = code.toString(16).toUpperCase();
  return code <= 0xff ? `\\x${hex.padStart(2, '0')}` : `\\u${hex.padStart(4, '0')}`;
}

/**
 * Text from the server as the command line prints it for a person: every character a terminal
 * would act on written out as an escape (`\x1B`, `\n`, `\u202E`), the rest as it is. Whatever a
 * task's error, result or log holds, it cannot move the cursor, recolour or retitle the terminal,
 * forge a line of output, or reverse what follows. `--json` needs none of it: JSON escapes C0
 * controls itself, and a program reads the rest as data.
 */
export function printable(text: string): string {
  return text.replace(ACTIVE_CHARACTERS, visible);
}
