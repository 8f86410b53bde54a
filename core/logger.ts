import { pino, type Logger } from 'pino';
import { traceFields } from './tracing.js';

export type { Logger };

export interface LoggerOptions {
  name: string;
  level: string;
  /** Human-readable lines for a terminal; JSON lines otherwise. */
  pretty: boolean;
}

export function createLogger({ name, level, pretty }: LoggerOptions): Logger {
  return pino({
    name,
    level,
    // Each line written inside a span carries its trace id, to go from a log line to its trace.
    mixin: traceFields,
    ...(pretty && {
      transport: {
        target: 'pino-pretty',
        options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true },
      },
    }),
  });
}

/** Pretty in a terminal unless asked otherwise, JSON under a log collector. */
export function wantsPrettyLogs(format: 'pretty' | 'json' | undefined): boolean {
  return format ? format === 'pretty' : Boolean(process.stdout.isTTY);
}
