import { parseArgs, type ParseArgsConfig } from 'node:util';
import { usageError } from './errors.js';
import type { ScheduleInput, TaskOptionsInput, TaskState } from './graphql/generated/graphql.js';
import type { FieldFlag, KindArgs } from './kind-input.js';

export type Command =
  | { name: 'help' }
  | { name: 'kinds' }
  | { name: 'create'; task: KindArgs; watch: boolean; options?: TaskOptionsInput }
  | { name: 'watch'; ids: string[] }
  | { name: 'logs'; id: string; last?: number }
  | { name: 'list'; state?: TaskState; kind?: string; first?: number; after?: string }
  | { name: 'cancel'; id: string }
  | { name: 'delete'; id: string }
  | { name: 'workers' }
  | { name: 'queues' }
  | { name: 'schedule-create'; task: KindArgs; schedule: ScheduleInput }
  | { name: 'schedule-list' }
  | { name: 'schedule-delete'; id: string };

export interface ParsedArgs {
  command: Command;
  url?: string;
  token?: string;
  json: boolean;
}

const options = {
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  watch: { type: 'boolean', short: 'w' },
  state: { type: 'string' },
  kind: { type: 'string' },
  first: { type: 'string' },
  after: { type: 'string' },
  priority: { type: 'string' },
  delay: { type: 'string' },
  'run-at': { type: 'string' },
  timeout: { type: 'string' },
  'idempotency-key': { type: 'string' },
  last: { type: 'string' },
  cron: { type: 'string' },
  every: { type: 'string' },
  timezone: { type: 'string' },
  input: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

type OptionName = keyof typeof options;

/** The options only some commands take (`create` and `schedule` for --input); the rest apply to every command. */
const commandOptions: Partial<Record<OptionName, string | readonly string[]>> = {
  watch: 'create',
  state: 'list',
  kind: 'list',
  first: 'list',
  after: 'list',
  priority: 'create',
  delay: 'create',
  'run-at': 'create',
  timeout: 'create',
  'idempotency-key': 'create',
  last: 'logs',
  cron: 'schedule',
  every: 'schedule',
  timezone: 'schedule',
  input: ['create', 'schedule'],
};

type Values = { [name in OptionName]?: (typeof options)[name]['type'] extends 'boolean' ? boolean : string };

const taskStates = { QUEUED: true, ACTIVE: true, COMPLETED: true, FAILED: true, CANCELLED: true } satisfies Record<
  TaskState,
  true
>;

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

/** A GraphQL Int: the server checks its range for the field, the command line only that it is one. */
function int(text: string, what: string): number {
  const value = /^[+-]?\d{1,10}$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(value) || value < INT_MIN || value > INT_MAX) {
    throw usageError(`${what} must be a whole number from ${INT_MIN} to ${INT_MAX}, not "${text}"`);
  }
  return value;
}

function oneOf<T extends string>(text: string, values: Record<T, true>, what: string): T {
  const upper = text.toUpperCase();
  if (upper in values) return upper as T;
  throw usageError(`${what} must be one of ${Object.keys(values).join(', ').toLowerCase()}, not "${text}"`);
}

/** An ISO-8601 date and time (`2026-01-31T12:00:00Z`; local time without a zone), sent in UTC. */
function isoTime(text: string, what: string): string {
  const iso = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;
  const at = iso.test(text) ? Date.parse(text.replace(' ', 'T')) : NaN;
  if (Number.isNaN(at)) throw usageError(`${what} must be a date and time such as 2026-01-31T12:00:00Z, not "${text}"`);
  return new Date(at).toISOString();
}

/** `create`'s options, as the mutations take them; left out when none is given. */
function taskOptions(values: Values): TaskOptionsInput | undefined {
  const given: TaskOptionsInput = {
    ...(values.priority !== undefined && { priority: int(values.priority, '--priority') }),
    ...(values.delay !== undefined && { delaySeconds: int(values.delay, '--delay') }),
    ...(values['run-at'] !== undefined && { runAt: isoTime(values['run-at'], '--run-at') }),
    ...(values.timeout !== undefined && { timeoutSeconds: int(values.timeout, '--timeout') }),
    ...(values['idempotency-key'] !== undefined && { idempotencyKey: values['idempotency-key'] }),
  };
  return Object.keys(given).length > 0 ? given : undefined;
}

function exactly(positionals: readonly string[], count: number, usage: string): void {
  if (positionals.length !== count) throw usageError(`usage: task-service ${usage}`);
}

/**
 * A negative number given as an argument (`create calculation sum -1 2`) would read as an option:
 * it goes through parseArgs as a placeholder and is put back after.
 */
const PLACEHOLDER = '\u0000';

/** Whether the positionals so far start `create` or `schedule create`, whose kinds take `--FIELD VALUE`. */
const createsTask = (positionals: readonly string[]) =>
  positionals[0] === 'create' || (positionals[0] === 'schedule' && positionals[1] === 'create');

/**
 * Takes the `--FIELD VALUE` flags of a kind's input out of the arguments of `create` and `schedule
 * create`: any long option that is not one of the command line's own. Its value is what follows
 * `=`, else the next argument unless that is an option; a flag with neither is a boolean's true.
 * What is left goes through parseArgs, strict as for every other command. A field named like an
 * option of the command line's own (--priority) is given through --input.
 */
function takeFieldFlags(args: readonly string[]): { rest: string[]; fields: FieldFlag[] } {
  const rest: string[] = [];
  const fields: FieldFlag[] = [];
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      rest.push(...args.slice(i));
      break;
    }
    if (!arg.startsWith('--')) {
      rest.push(arg);
      if (!arg.startsWith('-') || arg.startsWith(PLACEHOLDER)) positionals.push(arg);
      continue;
    }
    const [flag, ...inline] = arg.slice(2).split('=');
    const own = (options as Record<string, { type: string }>)[flag!];
    if (own || !createsTask(positionals) || flag === '') {
      rest.push(arg);
      // An option's value is its own, not a positional.
      if (own?.type === 'string' && inline.length === 0 && i + 1 < args.length) rest.push(args[++i]!);
      continue;
    }
    const next = args[i + 1];
    const takesNext = next !== undefined && (!next.startsWith('-') || next.startsWith(PLACEHOLDER));
    const value = inline.length > 0 ? inline.join('=') : takesNext ? next : undefined;
    if (inline.length === 0 && value !== undefined) i++;
    fields.push({ name: flag!, value });
  }
  return { rest, fields };
}

export function parseCommandLine(argv: readonly string[]): ParsedArgs {
  const negatives: string[] = [];
  const args = argv.map((arg) => {
    if (!/^-\d/.test(arg)) return arg;
    negatives.push(arg);
    return `${PLACEHOLDER}${negatives.length - 1}`;
  });
  const restore = (value: string) =>
    value.startsWith(PLACEHOLDER) ? (negatives[Number(value.slice(1))] ?? value) : value;
  const { rest, fields } = takeFieldFlags(args);

  let parsed;
  try {
    parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs' messages name the option and say what is wrong with it.
    throw usageError(error instanceof Error ? error.message.replaceAll(PLACEHOLDER, '') : String(error));
  }
  const values = Object.fromEntries(
    Object.entries(parsed.values).map(([name, value]) => [name, typeof value === 'string' ? restore(value) : value]),
  ) as typeof parsed.values;
  const [name, ...positionals] = parsed.positionals.map(restore);
  const common = { url: values.url, token: values.token, json: values.json ?? false };

  if (values.help || name === undefined || name === 'help') return { ...common, command: { name: 'help' } };
  for (const [option, owner] of Object.entries(commandOptions)) {
    const owners: readonly string[] = typeof owner === 'string' ? [owner] : owner;
    if (values[option as OptionName] !== undefined && !owners.includes(name)) {
      throw usageError(`--${option} is an option of ${owners.map((known) => `\`${known}\``).join(' and ')} only`);
    }
  }
  const restored = fields.map((field) => ({
    ...field,
    value: field.value === undefined ? undefined : restore(field.value),
  }));
  return { ...common, command: commandOf(name, positionals, values, restored) };
}

/** `KIND [VALUE...] [--FIELD VALUE...] [--input JSON]`, after `create` or `schedule create`. */
function kindArgs(positionals: readonly string[], values: Values, fields: FieldFlag[], usage: string): KindArgs {
  const [kind, ...rest] = positionals;
  if (kind === undefined) throw usageError(`usage: task-service ${usage} (task-service kinds lists the kinds)`);
  return { kind, positionals: rest, fields, ...(values.input !== undefined && { input: values.input }) };
}

const SCHEDULE_TIMING = '(--cron EXPR [--timezone TZ] | --every SECONDS)';

/** `schedule create KIND ... --cron EXPR | --every SECONDS`, `schedule list`, `schedule delete ID`. */
function scheduleCommand(positionals: readonly string[], values: Values, fields: FieldFlag[]): Command {
  const [action, ...rest] = positionals;
  if (action !== 'create' && (values.cron ?? values.every ?? values.timezone) !== undefined) {
    throw usageError('--cron, --every and --timezone are options of `schedule create` only');
  }
  switch (action) {
    case 'create': {
      const task = kindArgs(rest, values, fields, `schedule create KIND [VALUE...] ${SCHEDULE_TIMING}`);
      if ((values.cron === undefined) === (values.every === undefined)) {
        throw usageError(`schedule create takes --cron EXPR or --every SECONDS, one of them: ${SCHEDULE_TIMING}`);
      }
      if (values.every !== undefined && values.timezone !== undefined) {
        throw usageError('--timezone applies to --cron only');
      }
      const schedule: ScheduleInput =
        values.cron !== undefined
          ? { cron: values.cron, timezone: values.timezone }
          : { everySeconds: int(values.every!, '--every') };
      return { name: 'schedule-create', task, schedule };
    }
    case 'list':
      exactly(rest, 0, 'schedule list');
      return { name: 'schedule-list' };
    case 'delete':
      exactly(rest, 1, 'schedule delete ID');
      return { name: 'schedule-delete', id: rest[0]! };
    default:
      throw usageError(
        action === undefined
          ? `usage: task-service schedule create KIND ... ${SCHEDULE_TIMING} | schedule list | schedule delete ID`
          : `unknown schedule command "${action}": create, list or delete`,
      );
  }
}

function commandOf(name: string, positionals: readonly string[], values: Values, fields: FieldFlag[]): Command {
  switch (name) {
    case 'create': {
      const task = kindArgs(positionals, values, fields, 'create KIND [VALUE...] [--FIELD VALUE...] [--watch]');
      return { name: 'create', task, watch: values.watch ?? false, options: taskOptions(values) };
    }
    case 'kinds':
      exactly(positionals, 0, 'kinds [--json]');
      return { name: 'kinds' };
    case 'schedule':
      return scheduleCommand(positionals, values, fields);
    case 'watch':
      if (positionals.length === 0) throw usageError('usage: task-service watch ID...');
      return { name: 'watch', ids: [...positionals] };
    case 'list':
      exactly(positionals, 0, 'list [--state STATE] [--kind KIND] [--first N] [--after CURSOR]');
      return {
        name: 'list',
        state: values.state === undefined ? undefined : oneOf(values.state, taskStates, '--state'),
        // The kinds' names are `<kind>_task`; either is taken.
        kind: values.kind === undefined || values.kind.endsWith('_task') ? values.kind : `${values.kind}_task`,
        first: values.first === undefined ? undefined : int(values.first, '--first'),
        after: values.after,
      };
    case 'logs':
      exactly(positionals, 1, 'logs ID [--last N]');
      return {
        name: 'logs',
        id: positionals[0]!,
        last: values.last === undefined ? undefined : int(values.last, '--last'),
      };
    case 'cancel':
    case 'delete':
      exactly(positionals, 1, `${name} ID`);
      return { name, id: positionals[0]! };
    case 'workers':
    case 'queues':
      exactly(positionals, 0, name);
      return { name };
    default:
      throw usageError(`unknown command "${name}"`);
  }
}

export const usage = `Usage: task-service COMMAND [OPTIONS]

Commands:
  kinds                                          the kinds of task the API runs: what each does,
                                                 where it runs, its input fields with their types
                                                 and bounds, and its usage
  create KIND [VALUE...] [--FIELD VALUE...] [--input JSON] [--watch]
                                                 start a task of a kind (sleep or sleep_task), e.g.
                                                 create sleep 10
                                                 create calculation sum 1 2 3
                                                 create calculation --operation sum --numbers 1,2,3
      VALUE...              the kind's required fields in order, then the items of its one
                            required list (\`kinds\` prints each kind's usage)
      --FIELD VALUE         a field of the input (--address.city for a field of a field):
                            whole numbers, numbers, true/false, one of an enum's values (in any
                            case), text; a list as one comma-separated value (--numbers 1,2,3);
                            an object as JSON. A field named like an option below: use --input
      --input JSON          the input as a JSON object; values and --FIELDs go over it
      --priority N          1 (first) to 1000: among waiting tasks, lower starts first
      --delay SECONDS       start no earlier than this many seconds from now
      --run-at TIME         start no earlier than this (ISO 8601, 2026-01-31T12:00:00Z)
      --timeout SECONDS     the task's own time limit, at most the workers'
      --idempotency-key KEY the same key and input again answers the first task
  watch ID...                                    follow tasks with a progress bar each, to their end,
                                                 then print their logs
  logs ID [--last N]                             a task's newest log lines (100): time level message
  schedule create KIND [VALUE...] [--FIELD VALUE...] [--input JSON]
      (--cron EXPR [--timezone TZ] | --every SECONDS)
                                                 create such a task at each due time (cron: five
                                                 fields, or six with seconds first; TZ: Europe/Paris)
  schedule list                                  the schedules, with their next run and latest task
  schedule delete ID                             stop a schedule (the tasks it made stay)
  list [--state S] [--kind K] [--first N] [--after CURSOR]
                                                 tasks, newest first (state: queued, active,
                                                 completed, failed, cancelled; kind: sleep...)
  cancel ID                                      cancel a task
  delete ID                                      forget a task (cancelling it first if it runs)
  workers                                        the workers alive now, and any paused queue
  queues                                         each partition's BullMQ queue: paused or
                                                 running, and its job counts

Options:
  --url URL      the API (TASK_SERVICE_URL; default http://localhost:4000)
  --token TOKEN  a bearer token, when the API asks for one (TASK_SERVICE_TOKEN)
  --json         one JSON document per result or change, for scripts
  -w, --watch    with create: follow the new task to its end
  -h, --help     this text

Environment:
  TASK_SERVICE_MAX_RESPONSE_BYTES  bytes an answer may hold (8000000); a larger one is not read

Exit codes: 0 completed (or done), 1 failed or cancelled (or an answer that cannot be used),
2 bad usage or input, 3 the API cannot be reached, did not answer within 15 s or cannot serve now,
130 interrupted.
`;
