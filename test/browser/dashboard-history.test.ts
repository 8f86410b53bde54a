import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enqueueTask } from '../../core/enqueue-task.js';
import sleepTask from '../../tasks/sleep.js';
import calculationTask from '../../tasks/calculation.js';
import { createTaskQueue } from '../../core/task-queue.js';
import { createTaskStore } from '../../core/task-store.js';
import { expectCleanSession, openBrowser, screenshotDir, type BrowserSession } from '../support/browser.js';
import { gqlData } from '../support/graphql.js';
import {
  CREATE_CALCULATION,
  CREATE_SLEEP,
  TASK_HISTORY,
  type TaskData,
  type TaskMinuteData,
} from '../support/operations.js';
import { createTestStack, type TestApi, type TestStack } from '../support/stack.js';
import { signedToken } from '../support/tokens.js';
import { waitFor } from '../../testbed/wait.js';

const secret = 'a-secret-of-the-browser-tests-at-least-32-characters';
const token = (subject: string) => signedToken(secret, subject);

describe("the dashboard's history, timelines, retries, live workers and sign-in in Chromium", () => {
  let stack: TestStack;
  let session: BrowserSession;

  beforeEach(async () => {
    stack = await createTestStack();
    session = await openBrowser();
    mkdirSync(screenshotDir, { recursive: true });
  });

  afterEach(async () => {
    await session?.close();
    await stack?.close();
  });

  const row = (id: string) => session.page.locator(`tr[data-task-id="${id}"]`);
  const rowIn = (id: string, state: string) => session.page.locator(`tr[data-task-id="${id}"][data-state="${state}"]`);
  const screenshot = (name: string) =>
    session.page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });

  async function openDashboard(api: TestApi) {
    await session.page.goto(api.url);
    await session.page.locator('[data-connection="connected"]').waitFor({ timeout: 10_000 });
  }

  const createSleep = async (api: TestApi, duration: number) =>
    (await gqlData<{ createSleepTask: TaskData }>(api.url, CREATE_SLEEP, { input: { duration } })).createSleepTask;

  /** A marker in the page's globals: gone if the page was reloaded. */
  const markPage = () => session.page.evaluate(() => Object.assign(globalThis, { notReloaded: true }));
  const pageWasNotReloaded = () => session.page.evaluate(() => 'notReloaded' in globalThis);

  it('draws the last hour: tasks completed and failed per minute, and the backlog', async () => {
    // Nine tasks waiting before the API starts, so that its first sample of the minute counts them.
    const store = createTaskStore(stack.redis, stack.partitions);
    const queue = createTaskQueue(stack.redis, stack.keys.prefix);
    try {
      const queues = { store, partitions: stack.partitions, queues: [queue] };
      const options = { ttlMs: 3_600_000, owner: null };
      for (let i = 0; i < 6; i++) {
        await enqueueTask(queues, calculationTask, { numbers: [i, 2], operation: 'SUM' }, options);
      }
      // Sleeps of 3 s, on a worker whose max timeout is 1 s: they fail.
      for (let i = 0; i < 3; i++) await enqueueTask(queues, sleepTask, { duration: 3 }, options);
    } finally {
      await queue.close();
    }
    const api = await stack.startApi();
    await waitFor(
      async () =>
        (await gqlData<{ taskHistory: TaskMinuteData[] }>(api.url, TASK_HISTORY, { minutes: 1 })).taskHistory[0]!
          .backlog === 9,
      { what: 'the backlog sample' },
    );
    await openDashboard(api);
    const { page } = session;
    const backlog = page.locator('[data-chart="backlog"] circle[data-backlog]');
    await backlog.last().waitFor({ timeout: 5_000 });
    expect(await backlog.last().getAttribute('data-backlog')).toBe('9');

    await stack.startWorker({ maxTimeoutSeconds: 1 });
    // The history is read again shortly after the page sees tasks end.
    const bars = page.locator('[data-chart="ends"] g[data-minute]');
    const total = async (attribute: string) =>
      (
        await bars.evaluateAll((groups, name) => groups.map((group) => Number(group.getAttribute(name))), attribute)
      ).reduce((sum, count) => sum + count, 0);
    await waitFor(async () => (await total('data-completed')) === 6 && (await total('data-failed')) === 3, {
      timeoutMs: 10_000,
      what: 'six completed and three failed in the chart',
    });
    await expect(bars.count()).resolves.toBe(60);
    // Drawn: the bars of the last minutes have a height, green below and red above.
    const drawn = page.locator('[data-chart="ends"] rect.completed, [data-chart="ends"] rect.failed');
    expect(await drawn.count()).toBeGreaterThanOrEqual(2);
    for (const rect of await drawn.all()) expect(Number(await rect.getAttribute('height'))).toBeGreaterThan(0);
    await expect(page.locator('[data-chart="ends"] .chart-summary').textContent()).resolves.toBe(
      '6 completed and 3 failed in the last 60 minutes',
    );
    await expect(page.locator('[data-chart="ends"] svg').getAttribute('aria-label')).resolves.toBe(
      '6 completed and 3 failed in the last 60 minutes',
    );
    await page.locator('section.history').screenshot({ path: join(screenshotDir, 'dashboard-history.png') });
    await screenshot('dashboard-with-history');
    // On a phone the two charts stand one above the other, each as wide as the screen allows.
    await page.setViewportSize({ width: 390, height: 844 });
    for (const chart of await page.locator('.chart svg').all()) {
      const box = (await chart.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(390);
    }
    await page.locator('section.history').screenshot({ path: join(screenshotDir, 'dashboard-history-phone.png') });
    expectCleanSession(session);
  });

  it('shows the timeline of a task that ran twice: queued, started, its steps, handed back, started again, completed', async () => {
    const api = await stack.startApi();
    const stopping = await stack.startWorker({ name: 'stopping' }); // hands its tasks back after 2 s
    await openDashboard(api);
    const task = await createSleep(api, 4);
    const { page } = session;
    await row(task.id)
      .getByRole('button', { name: task.id.slice(0, 8), exact: true })
      .click();
    const detail = page.getByRole('region', { name: `Task ${task.id.slice(0, 8)}` });
    const events = detail.locator('ol.timeline li');
    await waitFor(async () => (await events.count()) >= 3, { what: 'the first steps in the timeline' });
    await stopping.close();
    await stack.startWorker({ name: 'taking-over' });
    await detail.locator('ol.timeline li[data-state="COMPLETED"]').waitFor({ timeout: 15_000 });

    const texts = await detail.locator('ol.timeline .event-text').allTextContents();
    const handedBack = texts.findIndex((text) => text.startsWith('Queued again'));
    expect(texts.slice(0, 2)).toEqual(['Queued', 'Started attempt 1, on stopping']);
    expect(texts[handedBack]).toBe('Queued again after attempt 1: the worker stopped before the task finished');
    expect(texts.slice(handedBack + 1)).toEqual([
      'Started attempt 2, on taking-over',
      'Step 1 of 4',
      'Step 2 of 4',
      'Step 3 of 4',
      'Step 4 of 4',
      'Completed (attempt 2)',
    ]);
    // Each with its time, in order.
    const times = await detail
      .locator('ol.timeline time')
      .evaluateAll((nodes) => nodes.map((node) => Date.parse(node.getAttribute('datetime')!)));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    await expect(detail.locator('.detail-status').textContent()).resolves.toContain('COMPLETED');
    await detail.screenshot({ path: join(screenshotDir, 'dashboard-timeline.png') });
    expectCleanSession(session);
  });

  it('retries a failed task from its row and from the detail view, each retry naming the task it retries', async () => {
    const api = await stack.startApi();
    await stack.startWorker({ maxTimeoutSeconds: 1 }); // a sleep of 3 s fails
    await openDashboard(api);
    const failing = await createSleep(api, 3);
    await rowIn(failing.id, 'FAILED').waitFor({ timeout: 5_000 });
    const { page } = session;
    // Retry only where a task failed or was cancelled: not on one that completed.
    const { createCalculationTask: completed } = await gqlData<{ createCalculationTask: TaskData }>(
      api.url,
      CREATE_CALCULATION,
      { input: { numbers: [1], operation: 'SUM' } },
    );
    await rowIn(completed.id, 'COMPLETED').waitFor({ timeout: 5_000 });
    await expect(
      row(completed.id)
        .getByRole('button', { name: /^Retry/ })
        .count(),
    ).resolves.toBe(0);

    const rows = page.locator('tr[data-task-id]');
    await row(failing.id)
      .getByRole('button', { name: `Retry task ${failing.id.slice(0, 8)}` })
      .click();
    await waitFor(async () => (await rows.count()) === 3, { what: 'the retry in the list' });
    const retryId = (await rows.first().getAttribute('data-task-id'))!;
    expect(retryId).not.toBe(failing.id);
    const { task: retry } = await gqlData<{ task: TaskData }>(
      api.url,
      `query ($id: ID!) { task(id: $id) { retryOf } }`,
      {
        id: retryId,
      },
    );
    expect(retry.retryOf).toBe(failing.id);
    await rowIn(retryId, 'FAILED').waitFor({ timeout: 5_000 }); // the same worker fails it again

    // From the detail view: the new task opens, and names the one it retries.
    await row(retryId)
      .getByRole('button', { name: retryId.slice(0, 8), exact: true })
      .click();
    const detailOf = (id: string) => page.getByRole('region', { name: `Task ${id.slice(0, 8)}` });
    await detailOf(retryId)
      .getByRole('button', { name: `Retry task ${retryId.slice(0, 8)}` })
      .click();
    await waitFor(async () => (await rows.count()) === 4, { what: 'the second retry in the list' });
    const secondId = (await rows.first().getAttribute('data-task-id'))!;
    const second = detailOf(secondId);
    await second.waitFor({ timeout: 5_000 });
    // The link to the task it retries shows once the new task's record has been read.
    const retried = second.getByRole('button', { name: retryId.slice(0, 8), exact: true });
    await waitFor(async () => (await retried.count()) === 1, { what: 'the link to the retried task' });
    const { task: stored } = await gqlData<{ task: TaskData }>(
      api.url,
      `query ($id: ID!) { task(id: $id) { retryOf } }`,
      {
        id: secondId,
      },
    );
    expect(stored.retryOf).toBe(retryId);
    await rowIn(secondId, 'FAILED').waitFor({ timeout: 5_000 });
    await screenshot('dashboard-retry');
    expectCleanSession(session);
  });

  it('updates the workers table as workers start and stop, without a reload and without polling', async () => {
    const api = await stack.startApi();
    const workersReads: string[] = [];
    // Any read of `workers` over HTTP (a task's own `worker` field aside).
    session.page.on('request', (request) => {
      if (request.url().endsWith('/graphql') && /\bworkers\b/.test(request.postData() ?? '')) {
        workersReads.push(request.postData()!);
      }
    });
    await openDashboard(api);
    await markPage();
    const { page } = session;
    await page.getByText('No worker is running').waitFor({ timeout: 5_000 });
    const workerRows = page.locator('tr[data-worker]');

    const first = await stack.startWorker({ name: 'live-worker-a', concurrency: 3 });
    await page.locator('tr[data-worker="live-worker-a"]').waitFor({ timeout: 3_000 });
    const second = await stack.startWorker({ name: 'live-worker-b', concurrency: 5 });
    await waitFor(async () => (await workerRows.count()) === 2, { timeoutMs: 3_000, what: 'both workers' });
    await expect(workerRows.locator('td:first-child').allTextContents()).resolves.toEqual([
      'live-worker-a',
      'live-worker-b',
    ]);
    await screenshot('dashboard-two-workers');

    // A task on one of them shows as active there.
    const task = await createSleep(api, 30);
    const active = page.locator('tr[data-worker] td:nth-child(5)');
    await waitFor(async () => (await active.allTextContents()).includes('1'), { timeoutMs: 3_000, what: 'active 1' });
    await gqlData(api.url, 'mutation ($id: ID!) { cancelTask(id: $id) { id } }', { id: task.id });

    await first.close();
    await waitFor(async () => (await workerRows.count()) === 1, { timeoutMs: 3_000, what: 'one worker left' });
    await expect(workerRows.locator('td:first-child').allTextContents()).resolves.toEqual(['live-worker-b']);
    await second.close();
    await page.getByText('No worker is running').waitFor({ timeout: 3_000 });

    expect(await pageWasNotReloaded()).toBe(true);
    expect(workersReads).toEqual([]); // pushed over the socket, never read over HTTP
    expectCleanSession(session);
  });

  it('asks for a token when authentication is on, keeps it for the session, shows a refused one, and signs out', async () => {
    const api = await stack.startApi({ auth: { jwtSecret: secret } });
    const { page } = session;
    await page.goto(api.url);
    const dialog = page.getByRole('dialog', { name: 'Sign in' });
    await dialog.waitFor({ timeout: 10_000 });
    await screenshot('dashboard-sign-in');

    // A token signed with another secret: refused, with the service's reason, and asked for again.
    const forged = await signedToken('another-secret-another-secret-another-secret', 'mallory');
    await dialog.getByLabel('Token').fill(forged);
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    const refusal = dialog.getByRole('alert');
    await refusal.waitFor({ timeout: 5_000 });
    await expect(refusal.textContent()).resolves.toMatch(
      /^The token was refused: it is not signed by a key this service trusts/,
    );
    await screenshot('dashboard-sign-in-refused');

    const alice = await token('alice');
    await dialog.getByLabel('Token').fill(alice);
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    await dialog.waitFor({ state: 'detached', timeout: 5_000 });
    await page.locator('[data-connection="connected"]').waitFor({ timeout: 5_000 });
    await expect(page.evaluate(() => sessionStorage.getItem('task-service.token'))).resolves.toBe(alice);

    // Alice's tasks over HTTP, and her events over the socket (the token went in connection_init).
    await page.getByRole('form', { name: 'Sleep task' }).getByLabel('Duration (1 to 300)').fill('1');
    await page.getByRole('button', { name: 'Start sleep task' }).click();
    const rows = page.locator('tr[data-task-id]');
    await rows.first().waitFor({ timeout: 5_000 });
    const id = (await rows.first().getAttribute('data-task-id'))!;
    await stack.startWorker();
    await rowIn(id, 'COMPLETED').waitFor({ timeout: 5_000 });
    const ownerOf = await stack.redis.hget(stack.keys.task(id), 'owner');
    expect(ownerOf).toBe('alice');
    await screenshot('dashboard-signed-in');

    // Kept for the session: a reload asks for nothing.
    await page.reload();
    await rowIn(id, 'COMPLETED').waitFor({ timeout: 10_000 });
    await expect(page.getByRole('dialog').count()).resolves.toBe(0);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await dialog.waitFor({ timeout: 5_000 });
    await expect(page.evaluate(() => sessionStorage.getItem('task-service.token'))).resolves.toBeNull();
    await expect(dialog.getByRole('alert').count()).resolves.toBe(0);
    await expect(rows.count()).resolves.toBe(0); // alice's tasks are no longer on the page

    // Chromium logs each answer refused with 401; those, and only those, are expected.
    const unauthorized =
      /^console: Failed to load resource: the server responded with a status of 401 \(Unauthorized\)$/;
    expect(session.errors.filter((error) => !unauthorized.test(error))).toEqual([]);
    expect(session.errors.length).toBeGreaterThan(0);
    expect(session.outsideRequests).toEqual([]);
  });
});
