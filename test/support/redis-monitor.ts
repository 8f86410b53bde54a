import { connect, type Socket } from 'node:net';

/** One command as MONITOR shows it: who sent it (`lua` for a script) and its words, unquoted. */
export interface MonitoredCommand {
  source: string;
  args: string[];
}

export interface RedisMonitor {
  /** Every command Redis ran since the monitor started, in order. */
  commands: MonitoredCommand[];
  /** Resolves once Redis has shown a command that `matches`: what was sent before it has been seen. */
  seen(matches: (command: MonitoredCommand) => boolean): Promise<void>;
  close(): Promise<void>;
}

/**
 * A MONITOR connection of its own, read as raw lines: ioredis' own `monitor` splits arguments on
 * `" "` and keeps other escapes, which a published record (JSON) can break.
 */
export async function monitorRedis(url: string): Promise<RedisMonitor> {
  const { hostname, port } = new URL(url);
  const socket: Socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const commands: MonitoredCommand[] = [];
  const waiting: { matches: (command: MonitoredCommand) => boolean; resolve: () => void }[] = [];
  let pending = '';
  let confirmed: () => void;
  const started = new Promise<void>((resolve) => (confirmed = resolve));
  socket.on('data', (chunk: Buffer) => {
    pending += chunk.toString('latin1'); // MONITOR escapes every byte outside printable ASCII
    let end: number;
    while ((end = pending.indexOf('\r\n')) >= 0) {
      const line = pending.slice(0, end);
      pending = pending.slice(end + 2);
      if (line === '+OK') {
        confirmed();
        continue;
      }
      if (!line.startsWith('+')) throw new Error(`unexpected MONITOR reply: ${line}`);
      const command = parseMonitorLine(line.slice(1));
      commands.push(command);
      for (const waiter of [...waiting]) {
        if (waiter.matches(command)) {
          waiting.splice(waiting.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    }
  });
  socket.write('MONITOR\r\n');
  await started;
  return {
    commands,
    seen: (matches) =>
      commands.some(matches) ? Promise.resolve() : new Promise((resolve) => waiting.push({ matches, resolve })),
    close: () => new Promise((resolve) => socket.end(resolve)),
  };
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', a: '\x07', b: '\b', '"': '"', '\\': '\\' };

/** `1700000000.123456 [0 127.0.0.1:5000] "EVALSHA" "abc" "1" "key"`, each word quoted as sdscatrepr quotes it. */
export function parseMonitorLine(line: string): MonitoredCommand {
  const match = /^\d+\.\d+ \[\d+ ([^\]]+)\] (.*)$/s.exec(line);
  if (!match) throw new Error(`not a MONITOR line: ${line}`);
  const [, source, words] = match as unknown as [string, string, string];
  const args: string[] = [];
  let i = 0;
  while (i < words.length) {
    if (words[i] === ' ') {
      i++;
      continue;
    }
    if (words[i] !== '"') throw new Error(`unquoted word at ${i} in: ${line}`);
    let word = '';
    for (i++; words[i] !== '"'; i++) {
      if (i >= words.length) throw new Error(`unterminated word in: ${line}`);
      if (words[i] !== '\\') {
        word += words[i];
        continue;
      }
      const escaped = words[++i];
      if (escaped === 'x') {
        word += String.fromCharCode(parseInt(words.slice(i + 1, i + 3), 16));
        i += 2;
      } else if (escaped !== undefined && escaped in ESCAPES) {
        word += ESCAPES[escaped];
      } else {
        throw new Error(`unknown escape \\${escaped} in: ${line}`);
      }
    }
    i++; // the closing quote
    args.push(Buffer.from(word, 'latin1').toString('utf8'));
  }
  return { source, args };
}
