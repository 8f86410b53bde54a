import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, screenshotDir, type BrowserSession } from '../support/browser.js';
import { gqlData } from '../support/graphql.js';
import { CREATE_CALCULATION, CREATE_SLEEP, GET_TASK } from '../support/operations.js';
import { freePort, runEntryPoint, startEntryPoint, type RunningProcess } from '../support/processes.js';
import { monitorRedis } from '../support/redis-monitor.js';
import { startRedisServer } from '../../testbed/redis-server.js';
import { createTestStack, REDIS_URL, type TestApi, type TestStack } from '../support/stack.js';
import { waitFor, within } from '../../testbed/wait.js';

const ENTRY = 'examples/bull-board.ts';
/** Seconds between the board's refreshes: every wait below allows for a few of them. */
const POLLING_SECONDS = 1;

/**
 * Bull Board's page asks Google Fonts for its typeface (its index.ejs), the one request that would
 * leave the machine: the tests refuse it, and the page falls back to the system's fonts.
 */
const FONTS = 'https://fonts.googleapis.com/';
const FONTS_REFUSED = 'console: Failed to load resource: net::ERR_FAILED';

interface Board {
  url: string;
  process: RunningProcess;
}

/** The example's entry point in its own process, as a user runs it, against the stack's keys. */
async function startBoard(stack: TestStack, variables: Record<string, string> = {}): Promise<Board> {
  const port = await freePort();
  const board = startEntryPoint(ENTRY, {
    REDIS_URL,
    REDIS_KEY_PREFIX: stack.keys.prefix,
    TASK_PARTITIONS: String(stack.partitions.count),
    BULL_BOARD_PORT: String(port),
    BULL_BOARD_POLLING_INTERVAL: String(POLLING_SECONDS),
    ...variables,
  });
  await waitFor(() => board.output().includes('Bull Board listening'), {
    timeoutMs: 20_000,
    what: 'Bull Board to listen',
  }).catch((error: Error) => {
    throw new Error(`${error.message}\n${board.output()}`);
  });
  return { url: `http://127.0.0.1:${port}`, process: board };
}

/** Stops the board as a terminal or an orchestrator would: it must close and exit 0. */
async function stopBoard(board: Board | undefined) {
  if (!board || board.process.child.exitCode !== null) return;
  board.process.child.kill('SIGTERM');
  const code = await within(board.process.exited, 10_000, 'the board exiting').catch((error: unknown) => {
    board.process.kill('SIGKILL');
    throw error;
  });
  expect(code, board.process.output()).toBe(0);
}

async function openBoardBrowser(): Promise<BrowserSession> {
  const session = await openBrowser();
  await session.context.route(
    (url) => url.href.startsWith(FONTS),
    (route) => route.abort(),
  );
  mkdirSync(screenshotDir, { recursive: true });
  return session;
}

/** Nothing went wrong in the page but the refused fonts, and nothing else left the machine. */
function expectCleanBoardSession(session: BrowserSession) {
  expect(session.errors.filter((error) => error !== FONTS_REFUSED)).toEqual([]);
  expect(session.outsideRequests.filter((url) => !url.startsWith(FONTS))).toEqual([]);
}

/** What Bull Board's API answers for its queue list (GET /api/queues). */
async function boardQueues(board: Board, query = ''): Promise<any[]> {
  const response = await fetch(`${board.url}/api/queues${query}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { queues: any[] }).queues;
}

/** A job's card, by its job id (the task id). */
const jobCard = (page: Page, id: string) =>
  page.locator('[class^="card-"]').filter({ has: page.locator('[class*="jobId-"]', { hasText: id }) });

/** A JSON view as one line without spaces: `{jobData:{duration:4},returnValue:null}`. */
const compact = (text: string) => text.replace(/\s+/g, '');

/** How Bull Board's JSON view shows each field of an object: `value:"6"`, `count:3`. */
const shownFields = (value: Record<string, unknown>) =>
  Object.entries(value).map(([key, field]) => `${key}:${JSON.stringify(field)}`);

/**
 * Bull Board's action controls: a job's buttons (retry, remove, promote, duplicate...), the
 * queue's buttons (retry all, clean all, promote all) and the queue's menu (add, pause, empty,
 * obliterate). Its CSS-module class names keep their stem across builds. In read-only mode none is drawn.
 */
async function actionControls(page: Page): Promise<number> {
  const counts = await Promise.all([
    page.locator('[class*="jobActions-"] button').count(),
    page.locator('[class*="queueActions-"] button').count(),
    page.locator('[class^="statusBar-"] button[aria-haspopup="menu"]').count(),
  ]);
  return counts.reduce((sum, count) => sum + count, 0);
}

interface BoardSetup {
  stack: TestStack;
  api: TestApi;
  board: Board;
  session: BrowserSession;
}

/** For a describe's tests: a stack with its API (and a worker), the example's board on it, and Chromium. */
function useBoard({ partitions = 1, worker = false } = {}): BoardSetup {
  const setup = {} as BoardSetup;
  beforeAll(async () => {
    setup.stack = await createTestStack({ partitions });
    setup.api = await setup.stack.startApi();
    if (worker) await setup.stack.startWorker();
    setup.board = await startBoard(setup.stack);
    setup.session = await openBoardBrowser();
  }, 60_000);
  afterAll(async () => {
    await setup.session?.close();
    await stopBoard(setup.board);
    await setup.stack?.close();
  }, 30_000);
  return setup;
}

describe('Bull Board (examples/bull-board.ts) over the task queue, in Chromium', () => {
  const setup = useBoard({ worker: true });

  const screenshot = (name: string) =>
    setup.session.page.screenshot({ path: join(screenshotDir, `bull-board-${name}.png`), fullPage: true });

  const sleep = async (duration: number): Promise<string> =>
    (await gqlData(setup.api.url, CREATE_SLEEP, { input: { duration } })).createSleepTask.id;

  const finished = (id: string) =>
    waitFor(
      async () => {
        const { task } = await gqlData(setup.api.url, GET_TASK, { id });
        return task.finishedAt ? task : undefined;
      },
      { timeoutMs: 15_000, what: `task ${id} to finish` },
    );

  it('lists the one queue `tasks` with the running job, and offers no action: none in the page, and its API refuses them', async () => {
    const { page } = setup.session;
    await page.goto(`${setup.board.url}/queue/tasks?status=active`);
    const id = await sleep(4);
    const card = jobCard(page, id);
    await card.waitFor({ timeout: 5_000 + 3_000 * POLLING_SECONDS });
    await screenshot('active-job');

    const queues = await boardQueues(setup.board);
    expect(queues.map(({ name, readOnlyMode, allowRetries }) => ({ name, readOnlyMode, allowRetries }))).toEqual([
      { name: 'tasks', readOnlyMode: true, allowRetries: false },
    ]);
    expect(queues[0].description).toBe(`Redis keys ${setup.stack.keys.prefix}:tasks:*`);
    await expect(page.locator('nav, aside').getByRole('link', { name: 'tasks', exact: true }).count()).resolves.toBe(1);
    // The job is the task: its id, its kind, its input.
    await expect(card.locator('[class*="jobName"]').first().textContent()).resolves.toBe('sleep_task');
    expect(compact(await card.innerText())).toContain('jobData:{duration:4}');
    expect(await actionControls(page)).toBe(0);

    // The board's own API refuses every change, whatever a client sends it.
    const refused = [
      ['PUT', '/api/queues/tasks/pause'],
      ['PUT', '/api/queues/tasks/empty'],
      ['PUT', '/api/queues/tasks/obliterate'],
      ['PUT', '/api/queues/tasks/clean/completed'],
      ['PUT', `/api/queues/tasks/${id}/retry`],
      ['PUT', `/api/queues/tasks/${id}/clean`],
      ['PATCH', `/api/queues/tasks/${id}/update-data`],
      ['POST', '/api/queues/tasks/add'],
    ];
    for (const [method, path] of refused) {
      const response = await fetch(`${setup.board.url}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'sleep_task', data: { duration: 1 }, jobData: { duration: 1 } }),
      });
      expect({ method, path, status: response.status }).toEqual({ method, path, status: 405 });
    }
    const { task } = await gqlData(setup.api.url, GET_TASK, { id });
    expect(task.state).toBe('ACTIVE');
    await finished(id);
    expectCleanBoardSession(setup.session);
  }, 45_000);

  it("shows a running sleep task's progress on its job: current, total and progress, as the task reports them", async () => {
    const { page } = setup.session;
    await page.goto(`${setup.board.url}/queue/tasks?status=active`);
    const duration = 4;
    const id = await sleep(duration);
    const card = jobCard(page, id);
    await card.waitFor({ timeout: 5_000 + 3_000 * POLLING_SECONDS });

    // The steps go by each second and the board refreshes each POLLING_SECONDS: one of them shows
    // while the job is still active (it leaves this tab once it completes).
    const shown = await waitFor(
      async () => {
        await card.getByRole('tab', { name: 'Progress' }).click({ timeout: 500 });
        const text = compact(await card.getByRole('tabpanel').innerText({ timeout: 500 }));
        const match = /current:(\d+),total:(\d+),progress:([\d.]+)/.exec(text);
        return match && { current: Number(match[1]), total: Number(match[2]), progress: Number(match[3]) };
      },
      {
        timeoutMs: (duration - 1) * 1_000 + 2_000 * POLLING_SECONDS,
        what: "the active job's progress (job.updateProgress)",
      },
    );
    await screenshot('active-progress');
    expect(shown.total).toBe(duration);
    expect(shown.current).toBeGreaterThanOrEqual(1);
    expect(shown.current).toBeLessThanOrEqual(duration);
    expect(shown.progress).toBeCloseTo((shown.current / duration) * 100, 5);
    await finished(id);
    expectCleanBoardSession(setup.session);
  }, 45_000);

  it('keeps the finished jobs under Completed with their results, and offers no retry or remove there', async () => {
    const { page } = setup.session;
    const sleepId = await sleep(2);
    const { createCalculationTask: calculation } = await gqlData(setup.api.url, CREATE_CALCULATION, {
      input: { numbers: [2, 3, 4], operation: 'SUM' },
    });
    const [slept, calculated] = await Promise.all([finished(sleepId), finished(calculation.id)]);
    expect(slept.result).toEqual({ status: 'ok' });
    expect(calculated.result).toEqual({ operation: 'SUM', value: '9', count: 3 });

    await page.goto(`${setup.board.url}/queue/tasks?status=completed`);
    const texts = await waitFor(
      async () => {
        const [sleepCard, calculationCard] = [jobCard(page, sleepId), jobCard(page, calculation.id)];
        if ((await sleepCard.count()) === 0 || (await calculationCard.count()) === 0) return undefined;
        return { sleep: compact(await sleepCard.innerText()), calculation: compact(await calculationCard.innerText()) };
      },
      { timeoutMs: 3_000 * POLLING_SECONDS + 2_000, what: 'both jobs under Completed (finished jobs kept in BullMQ)' },
    );
    await screenshot('completed-jobs');
    expect(texts.sleep).toContain('returnValue:{status:"ok"}');
    for (const field of shownFields(calculated.result)) expect(texts.calculation).toContain(field);
    expect(await actionControls(page)).toBe(0);
    expectCleanBoardSession(setup.session);
  }, 45_000);
});

describe('Bull Board (examples/bull-board.ts) over several partitions', () => {
  const setup = useBoard({ partitions: 2 });

  it("names each partition's queue `tasks` apart, and lists each task's job under its own partition", async () => {
    // No worker: the jobs wait (every job has a priority, so they wait under Prioritized).
    const create = async (): Promise<string> =>
      (await gqlData(setup.api.url, CREATE_SLEEP, { input: { duration: 5 } })).createSleepTask.id;
    // Creates take the partitions in turn: two land in both.
    const ids = [await create(), await create()];
    const byPartition = Object.fromEntries(ids.map((id) => [id.slice(0, id.indexOf('-')), id]));
    expect(Object.keys(byPartition).sort()).toEqual(['p0', 'p1']);

    const queues = await boardQueues(setup.board);
    expect(
      queues.map(({ name, displayName, description, readOnlyMode }) => ({
        name,
        displayName,
        description,
        readOnlyMode,
      })),
    ).toEqual(
      setup.stack.partitions.all.map(({ index, keys }) => ({
        name: `p${index}:tasks`,
        displayName: `tasks (partition ${index})`,
        description: `Redis keys ${keys.prefix}:tasks:*, task ids p${index}-…`,
        readOnlyMode: true,
      })),
    );

    // Each queue's page lists its own partition's job only, under the queue's display name.
    const { page } = setup.session;
    for (const { index } of setup.stack.partitions.all) {
      await page.goto(`${setup.board.url}/queue/${encodeURIComponent(`p${index}:tasks`)}?status=prioritized`);
      await jobCard(page, byPartition[`p${index}`]!).waitFor({ timeout: 5_000 });
      await expect(jobCard(page, byPartition[`p${1 - index}`]!).count()).resolves.toBe(0);
      await page.getByRole('heading', { name: `tasks (partition ${index})` }).waitFor({ timeout: 2_000 });
    }
    await setup.session.page.screenshot({ path: join(screenshotDir, 'bull-board-partitions.png'), fullPage: true });
    const menu = page.getByRole('navigation').getByRole('link');
    await expect(menu.allTextContents()).resolves.toEqual(['p0:tasks', 'p1:tasks']);
    expect(await actionControls(page)).toBe(0);
    expectCleanBoardSession(setup.session);
  }, 45_000);

  it('refuses to start when TASK_PARTITIONS differs from what the service recorded', async () => {
    const { code, output } = await runEntryPoint(ENTRY, {
      REDIS_URL,
      REDIS_KEY_PREFIX: setup.stack.keys.prefix,
      TASK_PARTITIONS: '3',
      BULL_BOARD_PORT: String(await freePort()),
    });
    expect(code).toBe(1);
    expect(output).toContain('set TASK_PARTITIONS=2');
  }, 30_000);
});

describe('Bull Board (examples/bull-board.ts) in read-only mode', () => {
  it('sends Redis no command that writes, from its start to its stop, while its pages are browsed', async () => {
    // A Redis of its own, where nothing but the board runs while it is watched.
    const own = await startRedisServer({ fsyncAlways: true });
    const stack = await createTestStack({ redisUrl: own.url });
    let session: BrowserSession | undefined;
    let board: Board | undefined;
    try {
      const api = await stack.startApi();
      const worker = await stack.startWorker();
      const create = (duration: number) => gqlData(api.url, CREATE_SLEEP, { input: { duration } });
      const { createSleepTask: ran } = await create(1);
      await waitFor(async () => (await gqlData(api.url, GET_TASK, { id: ran.id })).task.finishedAt, {
        what: 'the first task to finish',
      });
      await worker.close();
      const { createSleepTask: waiting } = await create(5);
      await api.close();

      const monitor = await monitorRedis(own.url);
      board = await startBoard(stack, { REDIS_URL: own.url });
      session = await openBoardBrowser();
      const { page } = session;
      await page.goto(`${board.url}/queue/tasks?status=prioritized`);
      await jobCard(page, waiting.id).waitFor({ timeout: 5_000 });
      for (const path of [
        '/',
        ...['latest', 'active', 'waiting', 'completed', 'failed', 'delayed'].map((s) => `/queue/tasks?status=${s}`),
        `/queue/tasks/${waiting.id}`,
        '/job-schedulers',
      ]) {
        await page.goto(`${board.url}${path}`);
        await page.waitForLoadState('networkidle');
      }
      await stopBoard(board);
      await monitor.close();

      const names = [...new Set(monitor.commands.map(({ args }) => args[0]!.toLowerCase()))].sort();
      expect(names).toContain('zcard'); // it did read the queue
      const writes: string[] = [];
      for (const name of names) {
        const [info] = (await stack.redis.call('COMMAND', 'INFO', name)) as [unknown[] | null];
        if (info && (info[2] as string[]).includes('write')) writes.push(name);
      }
      expect(writes).toEqual([]);
      expectCleanBoardSession(session);
    } finally {
      await session?.close();
      await stopBoard(board);
      await stack.close();
      await own.close();
    }
  }, 60_000);
});
