import { printable } from './printable.js';

/** The command line's exit codes, a contract for scripts (docs/command-line.md, "Exit codes"). */
export const ExitCode = {
  /** The task completed, or the command did what it was asked. */
  ok: 0,
  /** The task failed or was cancelled, or the server refused the operation for another reason. */
  failed: 1,
  /** Bad usage or bad input: an unknown command or option, a value the server refused, an unknown id, a reused idempotency key, a bad token. */
  usage: 2,
  /** No task service could be reached, or it cannot serve right now: trying again later may help. */
  unreachable: 3,
  /** Stopped by Ctrl-C (128 + SIGINT), as shells report it. */
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** One field the server found wrong, as `badUserInput` lists it in `extensions.problems`. */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * What ends a command with an exit code and a message for whoever ran it. The message may be given
 * as lines (several errors of one answer): a person sees each on a line of its own, made printable,
 * so that a newline inside one (from the server) cannot forge another.
 */
export class CliError extends Error {
  readonly lines: readonly string[];

  constructor(
    message: string | readonly string[],
    readonly exitCode: ExitCodeValue,
    /** The server's error code (`BAD_USER_INPUT`, `NOT_FOUND`...) or the command line's own (`USAGE`, `UNREACHABLE`). */
    readonly code: string,
    readonly problems: readonly FieldProblem[] = [],
  ) {
    super(typeof message === 'string' ? message : message.join('\n'));
    this.lines = typeof message === 'string' ? [message] : message;
    this.name = 'CliError';
  }

  toJSON() {
    return { message: this.message, code: this.code, ...(this.problems.length > 0 && { problems: this.problems }) };
  }
}

export function usageError(message: string | readonly string[]): CliError {
  return new CliError(message, ExitCode.usage, 'USAGE');
}

export function unreachable(message: string): CliError {
  return new CliError(message, ExitCode.unreachable, 'UNREACHABLE');
}

/** An answer (or a WebSocket message) larger than the command line reads: it was cut, not buffered. */
export function responseTooLarge(url: string, maxBytes: number): CliError {
  return new CliError(
    `${url} sent an answer larger than ${maxBytes} bytes: it was not read ` +
      '(TASK_SERVICE_MAX_RESPONSE_BYTES raises this bound, for an API whose MAX_RESPONSE_BYTES is higher)',
    ExitCode.failed,
    'RESPONSE_TOO_LARGE',
  );
}

export function interrupted(): CliError {
  return new CliError('interrupted', ExitCode.interrupted, 'INTERRUPTED');
}

/** A GraphQL error as it comes over the wire. */
export interface WireGraphQLError {
  message: string;
  extensions?: Record<string, unknown>;
}

/**
 * Codes that mean the caller asked for something wrong: fixing the command may help, retrying will
 * not. CONFLICT: an idempotency key already taken by a create with other input or options.
 */
const INPUT_CODES = new Set(['BAD_USER_INPUT', 'NOT_FOUND', 'UNAUTHENTICATED', 'CONFLICT']);
/** Codes that mean the service cannot serve now (its Redis is away): as good as unreachable. */
const UNAVAILABLE_CODES = new Set(['SERVICE_UNAVAILABLE']);

function problemsOf(error: WireGraphQLError): FieldProblem[] {
  const problems = error.extensions?.problems;
  if (!Array.isArray(problems)) return [];
  return problems.flatMap((problem: unknown) => {
    if (typeof problem !== 'object' || problem === null) return [];
    const { field, message } = problem as Record<string, unknown>;
    return typeof field === 'string' && typeof message === 'string' ? [{ field, message }] : [];
  });
}

/** The errors a GraphQL answer holds, as one error whose exit code the first error's code decides. */
export function fromGraphQLErrors(errors: readonly WireGraphQLError[]): CliError {
  const codes = errors.map((error) => error.extensions?.code).filter((code) => typeof code === 'string');
  const code = codes[0] ?? 'INTERNAL_SERVER_ERROR';
  const exitCode = INPUT_CODES.has(code)
    ? ExitCode.usage
    : UNAVAILABLE_CODES.has(code)
      ? ExitCode.unreachable
      : ExitCode.failed;
  const messages = errors.map((error) => error.message).filter(Boolean);
  const message = messages.length > 0 ? messages : 'the server answered an error without a message';
  return new CliError(message, exitCode, code, errors.flatMap(problemsOf));
}

/**
 * The lines that tell a person what went wrong: each field the server refused on a line of its own,
 * the server's words made printable.
 */
export function describeError(error: CliError): string {
  if (error.problems.length === 0) return error.lines.map(printable).join('\n');
  const fields = error.problems.map(({ field, message }) => `  ${printable(field)}: ${printable(message)}`);
  return [`the server refused the input (${printable(error.code)}):`, ...fields].join('\n');
}
