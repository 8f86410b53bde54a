import { asSchema, isRecord, withoutNull } from '../graphql/json-schema.js';

/** The playground's first tabs: what a newcomer wants to try, in order. */
export const exampleTabs = [
  {
    query: `# Queue a sleep task: copy its id for the next tab.
mutation CreateSleepTask {
  createSleepTask(input: { duration: 10 }) {
    id
    state
    total
  }
}
`,
  },
  {
    query: `# Watch a task live: the current state, then every step, then the end.
subscription WatchTask($id: ID!) {
  taskProgress(id: $id) {
    id
    state
    progress
    current
    total
    ... on SleepTask {
      result {
        status
      }
    }
  }
}
`,
    variables: '{\n  "id": "paste the id here"\n}',
  },
  {
    query: `# The newest tasks, and the workers running them.
query ListTasks {
  tasks(first: 10) {
    totalCount
    nodes {
      id
      name
      state
      progress
      finishedAt
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
  workers {
    name
    activeTasks
  }
}
`,
  },
  {
    query: `# Queue a task for later: it starts in 30 s,
# ahead of waiting tasks with a higher number
# (1 is the most urgent), and fails if it runs
# past 20 s. Sent again with the same key, it
# answers the same task instead of a new one.
mutation CreateDelayedTask {
  createSleepTask(
    input: { duration: 10 }
    options: {
      delaySeconds: 30
      priority: 1
      timeoutSeconds: 20
      idempotencyKey: "report-2026-01-31"
    }
  ) {
    id
    state
    runAt
    priority
    timeoutSeconds
  }
}
`,
  },
  {
    query: `# A task's log: what it wrote as it ran, and
# its worker's retries, stalls and time-outs.
query TaskLogs($id: ID!) {
  task(id: $id) {
    id
    state
    logs(last: 20) {
      at
      level
      message
    }
  }
}
`,
    variables: '{\n  "id": "paste the id here"\n}',
  },
  {
    query: `# A calculation task at 9:00 every weekday in
# Paris (or schedule: { everySeconds: 60 }).
# { taskSchedules { id nextRunAt } } lists them,
# deleteTaskSchedule(id:) stops one.
mutation CreateSchedule {
  createCalculationTaskSchedule(
    input: { numbers: [1, 2, 3], operation: SUM }
    schedule: { cron: "0 9 * * 1-5", timezone: "Europe/Paris" }
  ) {
    id
    name
    cron
    timezone
    nextRunAt
  }
}
`,
  },
  {
    query: `# Each partition's BullMQ queue, as Bull Board
# and Taskforce show it: paused or not (then no
# task starts until queue.resume()), and its
# jobs as BullMQ counts them. Every task gets
# a priority: waiting ones count as prioritized.
query Queues {
  queues {
    name
    prefix
    partition
    paused
    waiting
    prioritized
    delayed
    active
    completed
    failed
  }
}
`,
  },
];

/** What the playground reads of a kind (`taskKinds`) to write its examples. */
export interface ExampleKind {
  name: string;
  typeName: string;
  description: string;
  inputSchema: unknown;
  resultSchema: unknown;
  progressSchema?: unknown;
}

const numberOf = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/** Depth past which an example stops: a schema nested without end writes no endless example. */
const MAX_DEPTH = 4;

/**
 * A value the field accepts: its first example or default, else one within its bounds, `preferred`
 * when it fits (1, 2, 3 for a list's items).
 */

function sample(raw: unknown, preferred = 1, depth = 0): unknown {
  const schema = withoutNull(asSchema(raw)).schema;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if (schema.default !== undefined) return schema.default;
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  switch (schema.type) {
    case 'integer':
    case 'number':
      return Math.min(
        Math.max(preferred, numberOf(schema.minimum) ?? preferred),
        numberOf(schema.maximum) ?? preferred,
      );
    case 'boolean':
      return true;
    case 'string':
      return 'text'.padEnd(numberOf(schema.minLength) ?? 0, '.');
    case 'array': {
      const count = Math.max(numberOf(schema.minItems) ?? 0, Math.min(3, numberOf(schema.maxItems) ?? 3));
      return Array.from({ length: count }, (_, i) => sample(schema.items, i + 1, depth + 1));
    }
    default: {
      if (depth >= MAX_DEPTH || !isRecord(schema.properties)) return {};
      const required = Array.isArray(schema.required) ? schema.required : [];
      const fields = Object.entries(schema.properties).filter(([name]) => required.includes(name));
      return Object.fromEntries(fields.map(([name, field]) => [name, sample(field, 1, depth + 1)]));
    }
  }
}

/**
 * A value as a GraphQL literal. For the typed mutation an enum's value is bare (`SUM`); for
 * `createTask`, whose input is JSON, every string is quoted.
 */
function literal(value: unknown, raw: unknown, typed: boolean, depth = 0): string {
  const schema = withoutNull(asSchema(raw)).schema;
  if (Array.isArray(value)) return `[${value.map((item) => literal(item, schema.items, typed, depth + 1)).join(', ')}]`;
  if (isRecord(value)) {
    const properties = isRecord(schema.properties) ? schema.properties : {};
    const fields = Object.entries(value).map(
      ([name, field]) => `${name}: ${literal(field, properties[name], typed, depth + 1)}`,
    );
    return `{ ${fields.join(', ')} }`;
  }
  if (typeof value === 'string') return typed && Array.isArray(schema.enum) ? value : JSON.stringify(value);
  return JSON.stringify(value);
}

/** A selection of every field of an object schema, a field each: `operation`, `address { city }`. */
function selection(raw: unknown, depth = 0): string[] {
  const schema = withoutNull(asSchema(raw)).schema;
  const properties = isRecord(schema.properties) ? schema.properties : {};
  return Object.entries(properties)
    .map(([name, field]) => {
      const inner = withoutNull(asSchema(field)).schema;
      const object = inner.type === 'array' ? withoutNull(asSchema(inner.items)).schema : inner;
      if (object.type !== 'object') return name;
      return depth >= MAX_DEPTH ? null : `${name} { ${selection(object, depth + 1).join(' ')} }`;
    })
    .filter((field) => field !== null);
}

/** Comment lines of the editor's width, as the fixed examples' are. */
function wrap(text: string, width = 50): string {
  const lines: string[] = [];
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines.map((line) => `# ${line}`).join('\n');
}

/**
 * A tab per kind, written from `taskKinds` when the playground opens, so that a kind added to the
 * service has its examples with no change here: `createTask` by the kind's name with its input as
 * JSON (what generic clients send), and the kind's own typed mutation (what codegen users send),
 * each reading the task's input and result through the kind's type.
 */
export function kindExampleTabs(kinds: readonly ExampleKind[]): { query: string }[] {
  return kinds.map((kind) => {
    const input = sample(kind.inputSchema);
    const result = selection(kind.resultSchema).join(' ');
    const progress = kind.progressSchema ? selection(kind.progressSchema).join(' ') : '';
    const onType = [
      ...selection(kind.inputSchema),
      result && `result { ${result} }`,
      progress && `progressDetail { ${progress} }`,
    ]
      .filter(Boolean)
      .join('\n      ');
    const comment = wrap(
      `${kind.name}: ${kind.description} Two ways to create one (the run button asks which): ` +
        "createTask takes any kind by its name, its input JSON checked by the kind's schema; " +
        `create${kind.typeName} is typed, for codegen.`,
    );
    return {
      query: `${comment}
mutation Create${kind.typeName}ByKind {
  createTask(kind: "${kind.name}", input: ${literal(input, kind.inputSchema, false)}) {
    id
    name
    state
    ... on ${kind.typeName} {
      ${onType}
    }
  }
}

mutation Create${kind.typeName} {
  create${kind.typeName}(input: ${literal(input, kind.inputSchema, true)}) {
    id
    state
    ${onType.replaceAll('\n      ', '\n    ')}
  }
}
`,
    };
  });
}
