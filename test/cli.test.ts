import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommandLine } from '../cli/args.js';
import { fromGraphQLErrors } from '../cli/errors.js';
import { inTerminal, runCli, startCli, terminalEnd } from './support/cli.js';
import { gqlData } from './support/graphql.js';
import { runProcess } from '../testbed/processes.js';
import { freePort } from './support/processes.js';
import { inParis } from './support/schedules.js';
import { createTestStack, projectDir, type TestApi, type TestStack } from './support/stack.js';
import { waitFor, within } from '../testbed/wait.js';

const PROGRESS_LINE = /^(\S+) sleep_task (QUEUED|ACTIVE|COMPLETED) (\d+)% (\d+)\/(\d+)$/;
/** `logs`' plain lines: the time in ISO 8601, the level padded to five, the message. */
const LOG_LINE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (info |warn |error) (.+)$/;
/** Where the browser tests keep their screenshots, and this one the terminal's last screen (git-ignored). */
const screenshotDir = join(projectDir, 'test-results');
const BAR_LINE = /\|[\u2588\u2591]{30}\|/;

async function createSleep(url: string, duration: number): Promise<string> {
  const data = await gqlData(url, 'mutation($d: Int!) { createSleepTask(input: { duration: $d }) { id } }', {
    d: duration,
  });
  return data.createSleepTask.id;
}

describe('the command line', () => {
  let stack: TestStack;
  let api: TestApi;
  let env: Record<string, string>;

  beforeAll(async () => {
    stack = await createTestStack();
    api = await stack.startApi();
    await stack.startWorker();
    env = { TASK_SERVICE_URL: api.url };
  });
  afterAll(() => stack.close());

  it('should follow a task it created with a plain line per change through a pipe, then its log, and exit 0', async () => {
    const { code, stdout, stderr } = await runCli(['create', 'sleep', '2', '--watch'], env);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    const id = /^created sleep_task (\S+) \(queued, 0%\)$/.exec(lines[0]!)?.[1];
    expect(id).toBeDefined();
    // The changes, then the task's log lines after its id, then how it ended.
    const logs = lines.slice(1, -1).filter((line) => LOG_LINE.test(line.slice(`${id} `.length)));
    expect(logs).toEqual([
      expect.stringMatching(new RegExp(`^${id} \\S+ info  sleeping 2 s$`)),
      expect.stringMatching(new RegExp(`^${id} \\S+ info  slept 2 s$`)),
    ]);
    const changes = lines.slice(1, -1 - logs.length).map((line) => PROGRESS_LINE.exec(line));
    expect(changes.every((match) => match?.[1] === id)).toBe(true);
    const steps = changes.map((match) => Number(match![4]));
    expect(steps).toEqual([...steps].sort((a, b) => a - b)); // in order, none twice
    expect(new Set(lines).size).toBe(lines.length);
    expect(changes.at(-1)![2]).toBe('COMPLETED');
    expect(lines.at(-1)).toBe(`${id} completed: ok`);
    expect(stdout).not.toContain('\u001b['); // no cursor movements outside a terminal
  });

  it('should print one JSON document per change with --json', async () => {
    const { code, stdout } = await runCli(
      ['create', 'calculation', 'product', '2', '3', '-7', '--watch', '--json'],
      env,
    );
    expect(code).toBe(0);
    const documents = stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(documents[0]).toMatchObject({ __typename: 'CalculationTask', state: 'QUEUED', operation: 'PRODUCT' });
    expect(documents.at(-2)).toMatchObject({
      id: documents[0].id,
      state: 'COMPLETED',
      progress: 100,
      result: { operation: 'PRODUCT', value: '-42', count: 3 },
    });
    // Then its log, a line a document, naming its task.
    expect(documents.at(-1)).toEqual({
      taskId: documents[0].id,
      at: expect.any(String),
      level: 'info',
      message: 'PRODUCT of 3 numbers = -42',
    });
  });

  it("should exit 2 and print the server's field error for input it refuses", async () => {
    const count = async () => (await gqlData(api.url, '{ tasks { totalCount } }')).tasks.totalCount as number;
    const before = await count();
    const { code, stdout, stderr } = await runCli(['create', 'sleep', '0'], env);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('the server refused the input (BAD_USER_INPUT):');
    expect(stderr).toMatch(/^ {2}input\.duration: .*at least 1/m);

    const json = await runCli(['create', 'sleep', '301', '--json'], env);
    expect(json.code).toBe(2);
    const { error } = JSON.parse(json.stderr);
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ field: 'input.duration' }] });
    expect(await count()).toBe(before);
  });

  it('should create with a priority, a delay, a time limit and an idempotency key, and say when it starts', async () => {
    const key = `cli-${Date.now()}`;
    const options = ['--priority', '7', '--delay', '2', '--timeout', '30', '--idempotency-key', key];
    const before = Date.now();
    const created = await runCli(['create', 'sleep', '1', ...options], env);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const [, id, startsAt] =
      /^created sleep_task (\S+) \(queued, 0%; starts (\S+ \S+) UTC; priority 7; time limit 30s\)\n$/.exec(
        created.stdout,
      ) ?? [];
    expect(id).toBeDefined();
    const runAt = Date.parse(`${startsAt!.replace(' ', 'T')}Z`);
    expect(runAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 1_000);

    // The same key and input answer the same task; the same key with other input is refused.
    const again = await runCli(['create', 'sleep', '1', ...options, '--json'], env);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ id, priority: 7, timeoutSeconds: 30 });
    const conflict = await runCli(['create', 'sleep', '2', ...options], env);
    expect(conflict.code).toBe(2);
    expect(conflict.stderr).toContain(`The idempotency key "${key}" was used for another request`);

    // Waits until its time, then runs.
    const watched = await runCli(['watch', id!, '--json'], env);
    expect(watched.code).toBe(0);
    const documents = watched.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    const end = documents.findLast((document) => document.__typename === 'SleepTask');
    expect(end).toMatchObject({ id, state: 'COMPLETED', priority: 7, timeoutSeconds: 30 });
    expect(Date.parse(end.startedAt)).toBeGreaterThanOrEqual(Date.parse(end.runAt));
  });

  it('should start a task at the time --run-at names, and list it waiting with its start', async () => {
    // Far enough ahead that the task still waits when `list` has started (a few hundred ms).
    const runAt = new Date(Date.now() + 6_000).toISOString();
    const created = await runCli(['create', 'calculation', 'sum', '4', '5', '--run-at', runAt, '--json'], env);
    expect(created.code).toBe(0);
    const task = JSON.parse(created.stdout);
    expect(task).toMatchObject({ state: 'QUEUED', runAt });
    const listed = await runCli(['list', '--state', 'queued', '--kind', 'calculation'], env);
    expect(listed.stdout).toMatch(
      new RegExp(
        `^${task.id} +calculation_task +QUEUED +- +0% 0/1 .* starts ${runAt.replace('T', ' ').slice(0, 19)}$`,
        'm',
      ),
    );
    const watched = await runCli(['watch', task.id], env);
    expect(watched.code).toBe(0);
    const { task: done } = await gqlData(api.url, 'query($id: ID!) { task(id: $id) { startedAt } }', { id: task.id });
    expect(Date.parse(done.startedAt)).toBeGreaterThanOrEqual(Date.parse(runAt));
  });

  it("should exit 2 and print the server's field errors for options it refuses", async () => {
    const priority = await runCli(['create', 'sleep', '1', '--priority', '0'], env);
    expect(priority.code).toBe(2);
    expect(priority.stderr).toMatch(/^ {2}options\.priority: must be between 1 \(first\) and 1000$/m);

    const both = await runCli(
      ['create', 'sleep', '1', '--delay', '5', '--run-at', '2030-01-01T00:00:00Z', '--timeout', '100000', '--json'],
      env,
    );
    expect(both.code).toBe(2);
    expect(JSON.parse(both.stderr).error).toMatchObject({
      code: 'BAD_USER_INPUT',
      problems: expect.arrayContaining([
        { field: 'options.delaySeconds', message: 'set runAt or delaySeconds, not both' },
        { field: 'options.timeoutSeconds', message: expect.stringContaining('WORKER_MAX_TIMEOUT') },
      ]),
    });
  });

  it("should print a task's log as time, level and message, the newest --last lines, or as JSON", async () => {
    const done = await runCli(['create', 'sleep', '1', '--watch', '--json'], env);
    const id = JSON.parse(done.stdout.split('\n')[0]!).id as string;
    const logs = await runCli(['logs', id], env);
    expect(logs).toMatchObject({ code: 0, stderr: '' });
    const lines = logs.stdout.trimEnd().split('\n');
    expect(lines.map((line) => LOG_LINE.exec(line)?.slice(2))).toEqual([
      ['info ', 'sleeping 1 s'],
      ['info ', 'slept 1 s'],
    ]);
    const times = lines.map((line) => Date.parse(LOG_LINE.exec(line)![1]!));
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(900);

    expect((await runCli(['logs', id, '--last', '1'], env)).stdout).toBe(`${lines[1]}\n`);
    const json = await runCli(['logs', id, '--json'], env);
    expect(
      json.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([
      { taskId: id, at: expect.any(String), level: 'info', message: 'sleeping 1 s' },
      { taskId: id, at: expect.any(String), level: 'info', message: 'slept 1 s' },
    ]);

    const unknown = await runCli(['logs', '00000000-0000-4000-8000-000000000000'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('No task with id');
    const none = await runCli(['logs', id, '--last', '0'], env);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^ {2}last: must be between 1 and 10000$/m);
  });

  it('should create a schedule that runs every second, list it with its next run and latest task, and delete it', async () => {
    const created = await runCli(['schedule', 'create', 'calculation', 'sum', '1', '2', '--every', '1'], env);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const [, id] =
      /^created schedule (\S+) \(calculation_task, every 1s; next run \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)\n$/.exec(
        created.stdout,
      ) ?? [];
    expect(id).toBeDefined();

    // A worker runs it: its latest task shows, made by the schedule.
    const listed = await waitFor(
      async () => {
        const { stdout } = await runCli(['schedule', 'list', '--json'], env);
        const schedule = JSON.parse(stdout).find((known: { id: string }) => known.id === id);
        return schedule?.lastTask ? schedule : undefined;
      },
      { timeoutMs: 15_000, what: 'the schedule to have run' },
    );
    expect(listed).toMatchObject({ id, name: 'calculation_task', cron: null, everySeconds: 1, timezone: null });
    const { task } = await gqlData(api.url, 'query($id: ID!) { task(id: $id) { scheduleId } }', {
      id: listed.lastTask.id,
    });
    expect(task.scheduleId).toBe(id);
    const table = await runCli(['schedule', 'list'], env);
    expect(table.stdout).toMatch(/^ID +KIND +NEXT RUN \(UTC\) +LAST TASK +RUNS$/m);
    expect(table.stdout).toMatch(new RegExp(`^${id} +calculation_task +\\S+ \\S+ +\\S+ [A-Z]+ +every 1s$`, 'm'));
    expect(table.stdout).toMatch(/^\d+ schedules?$/m);

    expect(await runCli(['schedule', 'delete', id!], env)).toMatchObject({
      code: 0,
      stdout: `deleted schedule ${id}\n`,
    });
    const again = await runCli(['schedule', 'delete', id!], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`No task schedule with id "${id}"`);
  });

  it('should create a schedule on a cron expression in a time zone, and print the fields the server refuses', async () => {
    const cron = await runCli(
      ['schedule', 'create', 'sleep', '1', '--cron', '0 9 * * 1-5', '--timezone', 'Europe/Paris', '--json'],
      env,
    );
    expect(cron.code).toBe(0);
    const schedule = JSON.parse(cron.stdout);
    expect(schedule).toMatchObject({ name: 'sleep_task', cron: '0 9 * * 1-5', timezone: 'Europe/Paris' });
    expect(inParis(schedule.nextRunAt)).toMatch(/^(Mon|Tue|Wed|Thu|Fri) 09:00$/);
    await runCli(['schedule', 'delete', schedule.id], env);

    const refused = await runCli(
      ['schedule', 'create', 'sleep', '0', '--cron', 'every day', '--timezone', 'Mars/Olympus'],
      env,
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^ {2}schedule\.cron: "every day" is not a cron expression/m);
    expect(refused.stderr).toMatch(/^ {2}schedule\.timezone: "Mars\/Olympus" is not a time zone/m);
  });

  it('should exit 2 on bad usage, before asking the server anything', async () => {
    const unreachable = { TASK_SERVICE_URL: `http://127.0.0.1:${await freePort()}` };
    const usages = [
      ['frobnicate'],
      ['create'],
      ['kinds', 'sleep'],
      ['list', '--frob'],
      ['list', '--state', 'sleeping'],
      ['cancel'],
      ['workers', '--watch'],
      ['create', 'sleep', '1', '--run-at', 'tomorrow'],
      ['logs'],
      [],
    ];
    const runs = await Promise.all(usages.map((args) => runCli(args, unreachable)));
    expect(runs.map(({ code }) => code)).toEqual(usages.map(() => 2));
    for (const { stderr } of runs) expect(stderr).not.toBe('');
    const bad = await runCli(['list'], { TASK_SERVICE_URL: 'ftp://example.com' });
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringContaining('--url (or TASK_SERVICE_URL)') });
    const help = await runCli(['--help'], unreachable);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: task-service');
  });

  it('should exit 3 when nothing listens at the URL, over HTTP and over WebSocket', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const list = await runCli(['list', '--url', url], {});
    expect(list.code).toBe(3);
    expect(list.stderr).toContain('nothing is listening at 127.0.0.1');
    const watch = await runCli(['watch', 'some-id', '--url', url], {});
    expect(watch.code).toBe(3);
    expect(watch.stderr).toContain('cannot reach ws://127.0.0.1');
  });

  it('should exit 3 when what answers is not the task service, or a proxy with no API behind it', async () => {
    let status = 404;
    const server = createServer((_request, response) => {
      response.writeHead(status, { 'content-type': 'text/plain' }).end('no');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect(await runCli(['workers', '--url', url], {})).toMatchObject({
        code: 3,
        stderr: expect.stringContaining('answered 404 text/plain: not the task service'),
      });
      status = 503;
      expect(await runCli(['workers', '--url', url], {})).toMatchObject({
        code: 3,
        stderr: expect.stringContaining('answered 503: the API is not available right now'),
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('should list tasks by state and kind, show the workers, cancel and delete', async () => {
    const done = JSON.parse(
      (await runCli(['create', 'calculation', 'sum', '1', '2', '--watch', '--json'], env)).stdout.split('\n')[1]!,
    );
    const listed = await runCli(
      ['list', '--state', 'completed', '--kind', 'calculation', '--first', '5', '--json'],
      env,
    );
    expect(listed.code).toBe(0);
    const page = JSON.parse(listed.stdout);
    expect(page.nodes.map((task: { id: string }) => task.id)).toContain(done.id);
    expect(page.nodes.every((task: any) => task.state === 'COMPLETED' && task.name === 'calculation_task')).toBe(true);

    const table = await runCli(['list', '--kind', 'calculation_task'], env);
    expect(table.stdout).toMatch(
      new RegExp(`^${done.id} +calculation_task +COMPLETED +- +100% 1/1 .* operation: SUM, value: 3, count: 2$`, 'm'),
    );
    expect(table.stdout).toMatch(/^\d+ of \d+ tasks/m);

    const workers = await runCli(['workers'], env);
    expect(workers.code).toBe(0);
    expect(workers.stdout).toMatch(/^NAME +ACTIVE +UPTIME +KINDS$/m);
    expect(workers.stdout).toMatch(/^test-worker-\S+ +\d+\/50 /m);

    const id = await createSleep(api.url, 30);
    const cancel = await runCli(['cancel', id], env);
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toMatch(new RegExp(`^(cancelled|cancelling) ${id}`));
    expect((await runCli(['delete', id], env)).stdout).toBe(`deleted ${id}\n`);
    const again = await runCli(['delete', id], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`No task with id "${id}"`);
  });

  it('should say in `workers` that a queue is paused, and show each queue with `queues`', async () => {
    const notice =
      "queue tasks is paused: no task starts until it is resumed (BullMQ's queue.resume(), or Resume in Bull Board/Taskforce)";
    // As Bull Board or Taskforce opens the queue: by its name and prefix.
    const queue = new Queue('tasks', { connection: stack.redis, prefix: stack.keys.prefix });
    try {
      await queue.pause();
      const id = await createSleep(api.url, 1);
      const workers = await runCli(['workers'], env);
      expect(workers).toMatchObject({ code: 0, stderr: '' });
      expect(workers.stdout).toMatch(/^NAME +ACTIVE +UPTIME +KINDS$/m);
      expect(workers.stdout.trimEnd().split('\n').at(-1)).toBe(notice);
      // --json keeps stdout one document, the workers, and says it on stderr.
      const json = await runCli(['workers', '--json'], env);
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout)).toEqual([expect.objectContaining({ concurrency: 50 })]);
      expect(JSON.parse(json.stderr)).toEqual({
        warning: notice,
        queue: { name: 'tasks', prefix: stack.keys.prefix, partition: 0, paused: true },
      });

      const queues = await runCli(['queues'], env);
      expect(queues.code).toBe(0);
      expect(
        queues.stdout
          .trimEnd()
          .split('\n')
          .map((line) => line.split(/ +/)),
      ).toEqual([
        ['PARTITION', 'NAME', 'PREFIX', 'STATE', 'WAITING', 'PRIORITIZED', 'DELAYED', 'ACTIVE', 'COMPLETED', 'FAILED'],
        // Finished jobs stay as long as their tasks: the earlier tests' count in COMPLETED and FAILED.
        [
          '0',
          'tasks',
          stack.keys.prefix,
          'PAUSED',
          '0',
          '1',
          '0',
          '0',
          expect.stringMatching(/^\d+$/),
          expect.stringMatching(/^\d+$/),
        ],
      ]);

      expect(await runCli(['queues', 'all'], env)).toMatchObject({
        code: 2,
        stderr: expect.stringContaining('queues'),
      });

      await queue.resume();
      expect((await runCli(['workers'], env)).stdout).not.toContain('paused');
      expect(JSON.parse((await runCli(['queues', '--json'], env)).stdout)).toEqual([
        expect.objectContaining({ name: 'tasks', paused: false }),
      ]);
      const stateOf = async () =>
        (await gqlData(api.url, 'query($id: ID!) { task(id: $id) { state } }', { id })).task.state;
      await waitFor(async () => (await stateOf()) === 'COMPLETED', {
        what: 'the task queued while paused to complete once resumed',
      });
    } finally {
      await queue.resume();
      await queue.close();
    }
  });

  it('should exit 1 when the task it watches is cancelled meanwhile', async () => {
    const id = await createSleep(api.url, 30);
    const watch = startCli(['watch', id], env);
    await waitFor(() => watch.stdout().includes(' ACTIVE '), { what: 'the watch to show the task running' });
    await gqlData(api.url, 'mutation($id: ID!) { cancelTask(id: $id) { id } }', { id });
    expect(await within(watch.exited, 10_000, 'the watch to end')).toBe(1);
    expect(watch.stdout()).toMatch(
      new RegExp(`^${id} sleep_task CANCELLED .*\\n${id} \\S+ info  sleeping 30 s\\n${id} cancelled\\n$`, 'm'),
    );
  });

  it('should exit 2 watching an unknown id, and 130 on Ctrl-C', async () => {
    const unknown = await runCli(['watch', '00000000-0000-4000-8000-000000000000'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('No task with id');

    const id = await createSleep(api.url, 30);
    const watch = startCli(['watch', id, '--json'], env);
    await waitFor(() => watch.stdout().includes('"ACTIVE"'), { what: 'the watch to show the task running' });
    watch.child.kill('SIGINT');
    expect(await within(watch.exited, 5_000, 'the watch to stop')).toBe(130);
    await gqlData(api.url, 'mutation($id: ID!) { deleteTask(id: $id) }', { id });
  });

  it('should retry a closed socket a few times, then exit 3', async () => {
    const doomed = await stack.startApi();
    const id = await createSleep(doomed.url, 60);
    const watch = startCli(['watch', id], { TASK_SERVICE_URL: doomed.url });
    await waitFor(() => watch.stdout().includes(' ACTIVE '), { what: 'the watch to show the task running' });
    const closedAt = Date.now();
    await doomed.close();
    expect(await within(watch.exited, 20_000, 'the watch to give up')).toBe(3);
    expect(Date.now() - closedAt).toBeGreaterThan(2_000); // it tried again before giving up
    expect(watch.stderr()).toMatch(/cannot reach|closed/);
    await gqlData(api.url, 'mutation($id: ID!) { deleteTask(id: $id) }', { id });
  });

  it('should run as `npx task-service` in the project, from its own package.json bin', async () => {
    // --offline: were it not found in the project, npx could not fetch another package by the name.
    const result = await runProcess('npx', ['--offline', '--yes=false', 'task-service', '--help'], {
      cwd: projectDir,
      timeoutMs: 60_000,
    });
    expect(result.stdout, result.stderr).toContain('Usage: task-service');
    expect(result.code).toBe(0);
  }, 60_000);

  it('should redraw a progress bar in place on a terminal and end with the result', async () => {
    const terminal = await inTerminal(
      `${JSON.stringify(process.execPath)} bin/task-service.js create sleep 3 --watch --url ${api.url}`,
    );
    try {
      const { code, screens, screen } = await terminalEnd(terminal);
      // As a person saw it, to look at.
      mkdirSync(screenshotDir, { recursive: true });
      writeFileSync(join(screenshotDir, 'cli-terminal.txt'), `${screen.join('\n').trimEnd()}\n`);
      expect(code).toBe(0);
      const bars = screen.filter((line) => BAR_LINE.test(line));
      expect(bars).toHaveLength(1); // one line, drawn over, not one per step
      expect(bars[0]).toMatch(/^sleep_task \S+ \|\u2588{30}\| 100% \| 3\/3 \| COMPLETED$/);
      const barRow = screen.indexOf(bars[0]!);
      expect(screen[barRow - 1]).toMatch(/^created sleep_task \S+ \(queued, 0%\)$/);
      expect(screen[barRow + 1]).toMatch(/^sleep_task \S+ completed: ok$/);
      // Its log below, indented.
      expect(screen.slice(barRow + 2, barRow + 4)).toEqual([
        expect.stringMatching(/^ {2}\S+Z info {2}sleeping 3 s$/),
        expect.stringMatching(/^ {2}\S+Z info {2}slept 3 s$/),
      ]);
      // Seen meanwhile on the same row: the bar part way.
      expect(screens.some((seen) => /\| +(33|66)% \| [12]\/3 \| ACTIVE$/.test(seen[barRow] ?? ''))).toBe(true);
    } finally {
      await terminal.close();
    }
  });
});

describe("the command line's options", () => {
  it.each([
    [['create', 'sleep', '1', '--priority', 'high'], '--priority must be a whole number'],
    [['create', 'sleep', '1', '--delay'], "Option '--delay <value>' argument missing"],
    [['create', 'sleep', '1', '--run-at', '1'], '--run-at must be a date and time such as 2026-01-31T12:00:00Z'],
    [['create', 'sleep', '1', '--timeout', '1.5'], '--timeout must be a whole number'],
    [['list', '--priority', '1'], '--priority is an option of `create` only'],
    [['watch', 'some-id', '--last', '5'], '--last is an option of `logs` only'],
    [['logs', 'some-id', '--last', 'all'], '--last must be a whole number'],
    [['logs', 'a', 'b'], 'usage: task-service logs ID [--last N]'],
    [['schedule', 'create', 'sleep', '1'], 'schedule create takes --cron EXPR or --every SECONDS'],
    [['schedule', 'create', 'sleep', '1', '--cron', '* * * * *', '--every', '5'], 'one of them'],
    [['schedule', 'create', 'sleep', '1', '--every', '5', '--timezone', 'UTC'], '--timezone applies to --cron only'],
    [['schedule', 'list', '--every', '5'], 'options of `schedule create` only'],
    [['schedule', 'frob'], 'unknown schedule command "frob"'],
    [['schedule', 'delete'], 'usage: task-service schedule delete ID'],
    [['create', 'sleep', '1', '--every', '5'], '--every is an option of `schedule` only'],
  ])('should refuse %j as bad usage', (args, message) => {
    expect(() => parseCommandLine(args)).toThrow(
      expect.objectContaining({ exitCode: 2, message: expect.stringContaining(message) }),
    );
  });

  it('should send the options given, the start time in UTC', () => {
    const { command } = parseCommandLine([
      'create',
      'calculation',
      'sum',
      '1',
      '--priority',
      '3',
      '--run-at',
      '2030-01-31T12:00:00+02:00',
      '--timeout',
      '20',
      '--idempotency-key',
      'k-1',
    ]);
    expect(command).toMatchObject({
      options: { priority: 3, runAt: '2030-01-31T10:00:00.000Z', timeoutSeconds: 20, idempotencyKey: 'k-1' },
    });
    expect(parseCommandLine(['create', 'sleep', '5', '--delay', '30']).command).toMatchObject({
      options: { delaySeconds: 30 },
    });
    expect(parseCommandLine(['create', 'sleep', '5']).command).toMatchObject({ options: undefined });
    expect(parseCommandLine(['logs', 'x', '--last', '7']).command).toEqual({ name: 'logs', id: 'x', last: 7 });
    expect(
      parseCommandLine(['schedule', 'create', 'calculation', 'product', '-2', '3', '--every', '9']).command,
    ).toEqual({
      name: 'schedule-create',
      task: { kind: 'calculation', positionals: ['product', '-2', '3'], fields: [] },
      schedule: { everySeconds: 9 },
    });
  });
});

describe("the command line's exit codes for the server's errors", () => {
  it.each([
    ['BAD_USER_INPUT', 2],
    ['NOT_FOUND', 2],
    ['CONFLICT', 2],
    ['UNAUTHENTICATED', 2],
    ['SERVICE_UNAVAILABLE', 3],
    ['RATE_LIMITED', 1],
    ['INTERNAL_SERVER_ERROR', 1],
  ])('should exit with the code for %s', (code, exitCode) => {
    expect(fromGraphQLErrors([{ message: 'no', extensions: { code } }]).exitCode).toBe(exitCode);
  });
});

describe('the command line with authentication on', () => {
  const secret = 'a-secret-of-the-cli-test-at-least-32-characters';
  let stack: TestStack;
  let api: TestApi;

  beforeAll(async () => {
    stack = await createTestStack();
    api = await stack.startApi({ auth: { jwtSecret: secret } });
    await stack.startWorker({ maxTimeoutSeconds: 1 });
  });
  afterAll(() => stack.close());

  const token = () =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('alice')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(secret));

  it('should send the token over HTTP and in connection_init, and exit 1 on a failed task', async () => {
    // The worker gives up after 1 s: a sleep of 2 fails, with the reason.
    const { code, stdout } = await runCli(['create', 'sleep', '2', '--watch'], {
      TASK_SERVICE_URL: api.url,
      TASK_SERVICE_TOKEN: await token(),
    });
    expect(code).toBe(1);
    expect(stdout).toMatch(/^\S+ failed: .+$/m);
  });

  it('should exit 2 without a token or with a bad one', async () => {
    const missing = await runCli(['list', '--url', api.url], {});
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('bearer token is required');
    const bad = await runCli(['watch', 'some-id', '--url', api.url, '--token', 'not-a-token'], {});
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('the API refused the connection: Forbidden');
  });
});

describe('the command line and trusted documents', () => {
  let stack: TestStack;
  const counter = { texts: 0 };

  beforeAll(async () => {
    stack = await createTestStack();
    await stack.startWorker();
  });
  afterAll(() => stack.close());

  it('should create, watch, read logs, list and show the workers by document id where the API runs only those (TRUSTED_DOCUMENTS=only)', async () => {
    const api = await stack.startApi({ trustedDocuments: { mode: 'only' } });
    const env = { TASK_SERVICE_URL: api.url };
    const created = await runCli(['create', 'sleep', '1', '--watch'], env);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout.trimEnd().split('\n').at(-1)).toMatch(/completed/);
    const id = /^created sleep_task (\S+)/.exec(created.stdout)![1]!;
    const logs = await runCli(['logs', id, '--last', '1'], env);
    expect(logs).toMatchObject({ code: 0, stdout: expect.stringContaining('slept 1 s') });
    const listed = await runCli(['list', '--state', 'completed', '--json'], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('sleep_task');
    expect((await runCli(['workers'], env)).code).toBe(0);
  });

  it('should send the text instead where the API serves no ids (TRUSTED_DOCUMENTS=off)', async () => {
    const api = await stack.startApi({
      trustedDocuments: { mode: 'off' },
      plugins: [
        {
          async requestDidStart({ request }) {
            if (request.query) counter.texts++;
          },
        },
      ],
    });
    const created = await runCli(['create', 'sleep', '1', '--watch'], { TASK_SERVICE_URL: api.url });
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout.trimEnd().split('\n').at(-1)).toMatch(/completed/);
    // Its requests reached Apollo as text: the create, and the log read after the end.
    expect(counter.texts).toBeGreaterThan(0);
  });
});
