import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { startHostileApi, type HostileApi, type HostileApiOptions } from './support/hostile-api.js';

/**
 * Clears the screen, retitles the window, turns the text red (CSI in one byte), reverses what
 * follows, and starts a line of its own: what a server's string could do to a terminal.
 */
const EVIL = '\u001b[2J\u001b]0;owned\u0007\u009b31m\u202eevil\nforged line';
/** The same, as the command line prints it for a person. */
const SHOWN = '\\x1B[2J\\x1B]0;owned\\x07\\x9B31m\\u202Eevil\\nforged line';
/** Characters a terminal acts on; a newline only ends the command line's own lines. */
const ACTIVE = /(?!\n)[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
/** A line of a stack trace. */
const STACK_FRAME = /^\s+at /m;

const TIME = '2026-01-31T12:00:00.000Z';

/** A failed task of the service's shape, every string of it hostile. */
const task = {
  __typename: 'SleepTask',
  id: 'task-1',
  name: `sleep_task${EVIL}`,
  state: 'FAILED',
  progress: 50,
  current: 1,
  total: 2,
  worker: `worker${EVIL}`,
  attempts: 1,
  error: `failed${EVIL}`,
  createdAt: TIME,
  startedAt: TIME,
  finishedAt: TIME,
  expiresAt: null,
  runAt: null,
  priority: null,
  timeoutSeconds: null,
  scheduleId: null,
  output: null,
  duration: 2,
  result: null,
};
/** The kinds, as `create` reads them before it creates anything: a sleep, described with hostile strings. */
const kinds = {
  data: {
    taskKinds: [
      {
        name: 'sleep_task',
        typeName: 'SleepTask',
        description: `Sleeps${EVIL}`,
        isolation: 'INLINE',
        inputSchema: {
          type: 'object',
          properties: { duration: { type: 'integer', description: `Seconds${EVIL}` } },
          required: ['duration'],
        },
        resultSchema: {},
        progressSchema: null,
      },
    ],
  },
};
const queue = { name: `tasks${EVIL}`, prefix: `{tasks}${EVIL}`, partition: 0, paused: true };
const counts = { waiting: 1, prioritized: 0, delayed: 0, active: 0, completed: 0, failed: 1 };

/** The service's answers to each of the command line's operations, every string in them hostile. */
const hostileAnswers: Record<string, unknown> = {
  CliTasks: {
    data: { tasks: { totalCount: 2, pageInfo: { hasNextPage: true, endCursor: `cursor${EVIL}` }, nodes: [task] } },
  },
  CliTaskLogs: { data: { task: { id: task.id, logs: [{ at: TIME, level: `info${EVIL}`, message: `slept${EVIL}` }] } } },
  CliWorkers: {
    data: {
      workers: [
        {
          name: `worker${EVIL}`,
          concurrency: 4,
          startedAt: TIME,
          uptime: 60,
          taskNames: [`sleep_task${EVIL}`],
          activeTasks: 1,
        },
      ],
      queues: [queue],
    },
  },
  CliQueues: { data: { queues: [{ ...queue, ...counts }] } },
  CliTaskSchedules: {
    data: {
      taskSchedules: [
        {
          id: `schedule${EVIL}`,
          name: `sleep_task${EVIL}`,
          cron: `* * * * *${EVIL}`,
          everySeconds: null,
          timezone: `Europe/Paris${EVIL}`,
          nextRunAt: TIME,
          createdAt: TIME,
          lastTask: { id: `task${EVIL}`, state: 'FAILED' },
        },
      ],
    },
  },
  CliCancelTask: { errors: [{ message: `no such task${EVIL}`, extensions: { code: `NOT_FOUND${EVIL}` } }], data: null },
  CliTaskKinds: kinds,
  CliCreateTask: {
    errors: [
      {
        message: 'refused',
        extensions: { code: 'BAD_USER_INPUT', problems: [{ field: `input${EVIL}`, message: `too long${EVIL}` }] },
      },
    ],
    data: null,
  },
};

describe('the command line against a server that misbehaves', () => {
  let api: HostileApi | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });
  const start = async (options: HostileApiOptions) => (api = await startHostileApi(options));

  it('should give up on an answer that never comes or never ends, and on a WebSocket never opened or acknowledged, exiting 3 with what timed out', async () => {
    const silent = await startHostileApi({ http: () => ({ never: true }), ws: 'never-upgrade' });
    const stalled = await startHostileApi({ http: () => ({ stall: true }), ws: 'never-ack' });
    try {
      // Longer than the command line's own bound of 15 s, so that its bound is what ends each.
      const [list, workers, unopened, unacknowledged] = await Promise.all([
        runCli(['list', '--url', silent.url], {}, 40_000),
        runCli(['workers', '--url', stalled.url], {}, 40_000),
        runCli(['watch', 'task-1', '--url', silent.url], {}, 40_000),
        runCli(['watch', 'task-1', '--url', stalled.url], {}, 40_000),
      ]);
      expect(list).toMatchObject({
        code: 3,
        stderr: `task-service: no answer from ${silent.url}/graphql within 15 s\n`,
      });
      expect(workers).toMatchObject({
        code: 3,
        stderr: `task-service: the answer from ${stalled.url}/graphql did not end within 15 s\n`,
      });
      for (const [watch, url] of [
        [unopened, silent.url],
        [unacknowledged, stalled.url],
      ] as const) {
        expect(watch.code).toBe(3);
        expect(watch.stderr).toBe(
          `task-service: task-1: ${url.replace('http', 'ws')}/graphql did not open and acknowledge a WebSocket within 15 s\n`,
        );
      }
    } finally {
      await Promise.all([silent.close(), stalled.close()]);
    }
  }, 60_000);

  it('should stop reading an answer larger than its bound, over HTTP and over a WebSocket, and exit 1 saying so', async () => {
    const hundredsOfMegabytes = 300_000_000;
    const server = await start({
      http: (operation) => (operation === 'CliWorkers' ? { stream: hundredsOfMegabytes } : { stream: 200_000 }),
      ws: () => [{ data: { taskProgress: { ...task, error: 'a'.repeat(9_000_000) } } }],
    });
    const workers = await runCli(['workers', '--url', server.url]);
    expect(workers.code).toBe(1);
    expect(workers.stderr).toBe(
      `task-service: ${server.url}/graphql sent an answer larger than 8000000 bytes: it was not read (TASK_SERVICE_MAX_RESPONSE_BYTES raises this bound, for an API whose MAX_RESPONSE_BYTES is higher)\n`,
    );
    // It stopped reading, and the server stopped writing: little more than the bound, and what sockets hold.
    expect(server.streamed[0]).toBeLessThan(64_000_000);

    const watch = await runCli(['watch', 'task-1', '--url', server.url]);
    expect(watch.code).toBe(1);
    expect(watch.stderr).toContain(
      `${server.url.replace('http', 'ws')}/graphql sent an answer larger than 8000000 bytes`,
    );

    // The bound is the caller's to set, and a bad one is refused by name.
    const lowered = await runCli(['list', '--url', server.url], { TASK_SERVICE_MAX_RESPONSE_BYTES: '100000' });
    expect(lowered.code).toBe(1);
    expect(lowered.stderr).toContain('larger than 100000 bytes');
    const bad = await runCli(['list', '--url', server.url], { TASK_SERVICE_MAX_RESPONSE_BYTES: 'lots' });
    expect(bad).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('TASK_SERVICE_MAX_RESPONSE_BYTES must be a number'),
    });
  }, 60_000);

  it("should print the server's strings with their control characters made visible, and exactly with --json", async () => {
    const server = await start({
      http: (operation) => ({ json: hostileAnswers[operation] ?? { data: null } }),
      ws: () => [{ data: { taskProgress: task } }],
    });
    const commands = [
      ['list'],
      ['logs', 'task-1'],
      ['watch', 'task-1'],
      ['workers'],
      ['queues'],
      ['schedule', 'list'],
      ['cancel', 'task-1'],
      ['create', 'sleep', '1'],
      ['kinds'],
    ];
    const runs = [];
    for (const args of commands) runs.push({ args, ...(await runCli([...args, '--url', server.url])) });
    for (const { args, stdout, stderr } of runs) {
      const printed = stdout + stderr;
      expect(printed, args.join(' ')).not.toMatch(ACTIVE);
      expect(printed, args.join(' ')).toContain(SHOWN);
      expect(printed, args.join(' ')).not.toMatch(/^forged line/m);
    }
    const byCommand = Object.fromEntries(runs.map((run) => [run.args.join(' '), run]));
    expect(byCommand['list']!.stdout).toContain(`failed${SHOWN}`);
    expect(byCommand['watch task-1']!).toMatchObject({
      code: 1,
      stdout: expect.stringContaining(`failed: failed${SHOWN}`),
    });
    expect(byCommand['cancel task-1']!).toMatchObject({ code: 1, stderr: `task-service: no such task${SHOWN}\n` });
    expect(byCommand['create sleep 1']!.stderr).toContain(`  input${SHOWN}: too long${SHOWN}`);

    // --json: the strings exactly as the server sent them.
    const list = await runCli(['list', '--json', '--url', server.url]);
    expect(JSON.parse(list.stdout).nodes[0]).toEqual(task);
    const cancel = await runCli(['cancel', 'task-1', '--json', '--url', server.url]);
    expect(JSON.parse(cancel.stderr).error.message).toBe(`no such task${EVIL}`);
    const watch = await runCli(['watch', 'task-1', '--json', '--url', server.url]);
    expect(JSON.parse(watch.stdout.split('\n')[0]!)).toEqual(task);
  }, 90_000);

  it.each([
    [
      '`list` its tasks as null',
      ['list'],
      { data: { tasks: null } },
      'at tasks: Cannot return null for non-nullable field Query.tasks.',
    ],
    [
      '`list` its page of tasks as null',
      ['list'],
      { data: { tasks: { totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, nodes: null } } },
      'at tasks.nodes: Cannot return null for non-nullable field TaskConnection.nodes.',
    ],
    [
      '`workers` its workers as null',
      ['workers'],
      { data: { workers: null, queues: [] } },
      'at workers: Cannot return null',
    ],
    ['`queues` its queues as null', ['queues'], { data: { queues: null } }, 'at queues: Cannot return null'],
    [
      '`schedule list` its schedules as null',
      ['schedule', 'list'],
      { data: { taskSchedules: null } },
      'at taskSchedules: Cannot return null',
    ],
    [
      '`logs` its lines as null',
      ['logs', 'task-1'],
      { data: { task: { id: 'task-1', logs: null } } },
      'at task.logs: Cannot return null',
    ],
    [
      '`cancel` its task as null',
      ['cancel', 'task-1'],
      { data: { cancelTask: null } },
      'at cancelTask: Cannot return null',
    ],
    [
      '`create` its task as null',
      ['create', 'sleep', '1'],
      { data: { createTask: null } },
      'at createTask: Cannot return null',
    ],
    [
      '`create` a state no task has',
      ['create', 'sleep', '1'],
      { data: { createTask: { ...task, state: 'PAUSED' } } },
      'at createTask.state',
    ],
    ['`kinds` its kinds as null', ['kinds'], { data: { taskKinds: null } }, 'at taskKinds: Cannot return null'],
    [
      '`kinds` a kind without its name',
      ['kinds'],
      { data: { taskKinds: [{ ...kinds.data.taskKinds[0], name: null }] } },
      'at taskKinds.0.name: Cannot return null',
    ],
    [
      '`list` an error that is null',
      ['list'],
      { errors: [null] },
      'answered something that is not a GraphQL answer (errors.0:',
    ],
    [
      '`list` errors that are a string',
      ['list'],
      { errors: 'no' },
      'answered something that is not a GraphQL answer (errors:',
    ],
  ])(
    'should say what is wrong with an answer to %s, and exit 1 without a stack trace',
    async (_answer, args, answer, why) => {
      // `create` reads the kinds first: those are sound, what comes after is not.
      const server = await start({
        http: (operation) => ({ json: operation === 'CliTaskKinds' && args[0] === 'create' ? kinds : answer }),
      });
      const { code, stdout, stderr } = await runCli([...args, '--url', server.url]);
      expect(stderr).toContain(`task-service: ${server.url}/graphql answered `);
      expect(stderr).toContain(why);
      expect(stderr).not.toMatch(STACK_FRAME);
      expect(stdout).toBe('');
      expect(code).toBe(1);
    },
  );

  it("should print the server's errors that came with partial or null data, and exit non-zero", async () => {
    const server = await start({
      http: () => ({
        json: {
          errors: [{ message: 'the workers could not be read', path: ['workers'] }],
          data: { workers: null, queues: [] },
        },
      }),
      ws: () => [{ data: { taskProgress: null } }],
    });
    const workers = await runCli(['workers', '--url', server.url]);
    expect(workers).toMatchObject({ code: 1, stdout: '', stderr: 'task-service: the workers could not be read\n' });
    const watch = await runCli(['watch', 'task-1', '--url', server.url]);
    expect(watch.code).toBe(1);
    expect(watch.stderr).toContain('answered data the command line cannot use at taskProgress: Cannot return null');
    expect(watch.stderr).not.toMatch(STACK_FRAME);
  });
});
