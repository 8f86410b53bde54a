import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTaskStore } from '../../core/task-store.js';
import { expectCleanSession, openBrowser, screenshotDir, type BrowserSession } from '../support/browser.js';
import { gqlData } from '../support/graphql.js';
import { CANCEL_TASK, CREATE_CALCULATION, CREATE_SLEEP, type TaskData } from '../support/operations.js';
import { createTestStack, type TestApi, type TestStack } from '../support/stack.js';
import { waitFor } from '../../testbed/wait.js';

describe('the dashboard in Chromium', () => {
  let stack: TestStack;
  let api: TestApi;
  let session: BrowserSession;

  beforeEach(async () => {
    stack = await createTestStack();
    api = await stack.startApi();
    session = await openBrowser();
  });

  afterEach(async () => {
    await session?.close();
    await stack?.close();
  });

  const badgeShows = (state: string) => session.page.locator(`[data-connection="${state}"]`);
  const row = (id: string) => session.page.locator(`tr[data-task-id="${id}"]`);
  const rowIn = (id: string, state: string) => session.page.locator(`tr[data-task-id="${id}"][data-state="${state}"]`);

  /** Opens the dashboard and waits for its socket, so that no event is missed from then on. */
  async function openDashboard() {
    await session.page.goto(api.url);
    await badgeShows('connected').waitFor({ timeout: 10_000 });
  }

  /** Starts a sleep task with the form, on a table still empty, and answers the new row's task id. */
  async function startSleepFromForm(duration: number): Promise<string> {
    const { page } = session;
    const form = page.getByRole('form', { name: 'Sleep task' });
    await form.getByLabel('Duration (1 to 300)').fill(String(duration));
    await form.getByRole('button', { name: 'Start sleep task' }).click();
    // The mutation's answer puts the row in the list, before any event.
    const created = page.locator('tr[data-task-id]').first();
    await created.waitFor({ timeout: 2_000 });
    return (await created.getAttribute('data-task-id'))!;
  }

  const createSleep = async (duration: number) =>
    (await gqlData<{ createSleepTask: TaskData }>(api.url, CREATE_SLEEP, { input: { duration } })).createSleepTask;

  /** A marker in the page's globals: gone if the page was reloaded. */
  const markPage = () => session.page.evaluate(() => Object.assign(globalThis, { notReloaded: true }));
  const pageWasNotReloaded = () => session.page.evaluate(() => 'notReloaded' in globalThis);

  it('shows a sleep task created from the form at once, and its progress step by step up to COMPLETED', async () => {
    await stack.startWorker();
    await openDashboard();
    await markPage();
    const id = await startSleepFromForm(3);

    // Every distinct progress the row shows (bar and text, read at once), polled often enough to see
    // each step: they are a second apart. (`any`: the tsconfig has no DOM types, for the server's sake.)
    const seen: string[] = [];
    let screenshotTaken = false;
    mkdirSync(screenshotDir, { recursive: true });
    await waitFor(
      async () => {
        // Progress and state in one read: read apart, the last step and COMPLETED could land between them.
        const { shown, state } = await row(id).evaluate((tr: any) => {
          const bar = tr.querySelector('progress');
          return {
            shown: `${Math.round(bar.value)} ${bar.nextElementSibling.textContent}`,
            state: tr.getAttribute('data-state'),
          };
        });
        if (shown !== seen.at(-1)) seen.push(shown);
        if (!screenshotTaken && shown.includes('(1/3)')) {
          await session.page.screenshot({ path: join(screenshotDir, 'dashboard-mid-progress.png'), fullPage: true });
          screenshotTaken = true;
        }
        return state === 'COMPLETED';
      },
      { timeoutMs: 10_000, everyMs: 50, what: 'the row to show COMPLETED' },
    );

    expect(seen).toEqual(['0 0% (0/3)', '33 33% (1/3)', '67 67% (2/3)', '100 100% (3/3)']);
    expect(screenshotTaken).toBe(true);
    await expect(row(id).locator('.outcome').textContent()).resolves.toBe('ok');
    await expect(
      row(id)
        .getByRole('button', { name: `Delete task ${id.slice(0, 8)}` })
        .count(),
    ).resolves.toBe(1);
    expect(await pageWasNotReloaded()).toBe(true);
    expectCleanSession(session);
  });

  it('shows a refused duration right under its field, and creates no task', async () => {
    await openDashboard();
    const { page } = session;
    const duration = page.getByRole('form', { name: 'Sleep task' }).getByLabel('Duration (1 to 300)');
    await duration.fill('500');
    await page.getByRole('button', { name: 'Start sleep task' }).click();

    const error = page.locator('.field-error', { hasText: 'duration must be at most 300 seconds' });
    await error.waitFor({ timeout: 5_000 });
    // Right under the input (its next sibling), announced, and tied to the input for screen readers.
    const nextToInput = duration.locator('xpath=following-sibling::*[1]');
    await expect(nextToInput.textContent()).resolves.toBe('duration must be at most 300 seconds');
    await expect(nextToInput.getAttribute('role')).resolves.toBe('alert');
    await expect(duration.getAttribute('aria-invalid')).resolves.toBe('true');
    // Described by the kind's words for the field, and by the error.
    const describedBy = (await duration.getAttribute('aria-describedby'))!.split(' ');
    expect(describedBy).toContain(await error.getAttribute('id'));

    expect(Object.values(await stack.jobCounts()).every((count) => count === 0)).toBe(true);
    expect(await stack.redis.keys(`${stack.keys.prefix}:task:*`)).toEqual([]);
    await page.getByText('No tasks yet').waitFor({ timeout: 2_000 });
    await expect(page.locator('tr[data-task-id]').count()).resolves.toBe(0);
    expectCleanSession(session);
  });

  it('cancels a running task from its row within a couple of seconds', async () => {
    await stack.startWorker();
    await openDashboard();
    const id = await startSleepFromForm(30);
    await rowIn(id, 'ACTIVE').waitFor({ timeout: 5_000 });

    await session.page.getByRole('button', { name: `Cancel task ${id.slice(0, 8)}` }).click();
    // On a timeout, the comparison below tells the page from Redis.
    await rowIn(id, 'CANCELLED')
      .waitFor({ timeout: 2_000 })
      .catch(() => undefined);
    const stored = await createTaskStore(stack.redis, stack.partitions).get(id);
    expect({ row: await row(id).getAttribute('data-state'), redis: stored?.state }).toEqual({
      row: 'CANCELLED',
      redis: 'CANCELLED',
    });
    expect(stored!.current).toBeLessThan(30);
    expectCleanSession(session);
  });

  it('never lets a late answer overwrite a newer state: quick calculations all end COMPLETED', async () => {
    // A calculation completes before its create mutation's answer (QUEUED) reaches the page; that
    // older copy must not replace the COMPLETED event that came first over the socket.
    await stack.startWorker();
    await openDashboard();
    const form = session.page.getByRole('form', { name: 'Calculation task' });
    await form.getByLabel('Numbers (1 to 100 integers)').fill('1, 2, 3');
    const start = form.getByRole('button', { name: 'Start calculation task' });
    for (let i = 0; i < 12; i++) {
      await start.click();
      await waitFor(async () => (await session.page.locator('tr[data-task-id]').count()) === i + 1, {
        what: `row ${i + 1}`,
      });
    }
    await waitFor(async () => (await session.page.locator('tr[data-state="COMPLETED"]').count()) === 12, {
      timeoutMs: 5_000,
      what: 'twelve COMPLETED rows',
    });
    await expect(session.page.locator('tr[data-state="COMPLETED"] .outcome').allTextContents()).resolves.toEqual(
      Array(12).fill('operation: SUM, value: 6, count: 3'),
    );
    expectCleanSession(session);
  });

  it('loads more pages on demand, filters by kind and state, and opens a live detail by keyboard', async () => {
    const calculations = [];
    for (let i = 0; i < 23; i++) {
      const { createCalculationTask } = await gqlData<{ createCalculationTask: TaskData }>(
        api.url,
        CREATE_CALCULATION,
        { input: { numbers: [i, 1], operation: 'PRODUCT' } },
      );
      calculations.push(createCalculationTask);
    }
    await openDashboard();
    const { page } = session;
    const rows = page.locator('tr[data-task-id]');
    await waitFor(async () => (await rows.count()) === 20, { what: 'the first page' });
    await page.getByRole('button', { name: 'Load more' }).click();
    await waitFor(async () => (await rows.count()) === 23, { what: 'the second page' });
    await expect(page.getByRole('button', { name: 'Load more' }).count()).resolves.toBe(0);

    await page.getByLabel('Kind').selectOption('sleep_task');
    await page.getByText('No tasks yet').waitFor({ timeout: 5_000 });
    const sleep = await createSleep(1);
    await rowIn(sleep.id, 'QUEUED').waitFor({ timeout: 5_000 }); // shown live, by taskUpdated
    await expect(rows.count()).resolves.toBe(1);

    await page.getByLabel('Kind').selectOption('');
    await page.getByLabel('State').selectOption('COMPLETED');
    await page.getByText('No tasks yet').waitFor({ timeout: 5_000 });
    await stack.startWorker();
    await waitFor(async () => (await rows.count()) === 24, { what: 'every task in the COMPLETED list' });

    // Keyboard only: focus the newest task's id and press Enter to follow it.
    const newest = page.getByRole('button', { name: sleep.id.slice(0, 8), exact: true });
    await newest.focus();
    await page.keyboard.press('Enter');
    const detail = page.getByRole('region', { name: `Task ${sleep.id.slice(0, 8)}` });
    await detail.getByText('COMPLETED').first().waitFor({ timeout: 5_000 });
    await expect(detail.locator('[aria-live="polite"]').textContent()).resolves.toContain('100%, step 1 of 1');
    await expect(detail.getByText(sleep.id).count()).resolves.toBe(1);
    expectCleanSession(session);
  });

  it('lists the running worker and its active tasks rising to one while a task runs', async () => {
    const name = `browser-worker-${Date.now()}`;
    await stack.startWorker({ name, concurrency: 7 });
    await openDashboard();
    const cells = session.page.locator(`tr[data-worker="${name}"] td`);
    await cells.first().waitFor({ timeout: 5_000 });
    const [shownName, concurrency, , kinds, active] = await cells.allTextContents();
    // Each kind it runs, as the dashboard names it: sleep_task is Sleep.
    const { workers } = await gqlData<{ workers: { name: string; taskNames: string[] }[] }>(
      api.url,
      '{ workers { name taskNames } }',
    );
    const taskNames = workers.find((worker) => worker.name === name)!.taskNames;
    expect(taskNames).toEqual(expect.arrayContaining(['sleep_task', 'calculation_task']));
    const labels = taskNames.map((kind) => kind.replace(/_task$/, '').replace(/_/g, ' '));
    expect({ shownName, concurrency, kinds, active }).toEqual({
      shownName: name,
      concurrency: '7',
      kinds: labels.map((label) => label[0]!.toUpperCase() + label.slice(1)).join(', '),
      active: '0',
    });

    const task = await createSleep(30);
    // The list is pushed when it changes; the worker writes its count a moment after a start.
    await waitFor(async () => (await cells.nth(4).textContent()) === '1', { timeoutMs: 6_000, what: 'active 1' });
    // Cancelled, so that closing the worker does not wait for it.
    await gqlData(api.url, CANCEL_TASK, { id: task.id });
    await waitFor(async () => (await cells.nth(4).textContent()) === '0', { timeoutMs: 6_000, what: 'active 0' });
    expectCleanSession(session);
  });

  it('shows a notice while its queue is paused with BullMQ, as Bull Board does, and none once it is resumed', async () => {
    await stack.startWorker();
    await openDashboard();
    const { page } = session;
    const notice = page.locator('[data-queue-paused]');
    // As Bull Board or Taskforce opens the queue: by its name and prefix.
    const queue = new Queue('tasks', { connection: stack.redis, prefix: stack.keys.prefix });
    try {
      await page.locator('tr[data-worker]').first().waitFor({ timeout: 5_000 });
      expect(await notice.count()).toBe(0);
      await queue.pause();
      await notice.waitFor({ timeout: 6_000 });
      expect(await notice.innerText()).toBe(
        "Queue tasks is paused: no task starts until it is resumed (BullMQ's queue.resume(), or Resume in Bull Board/Taskforce).",
      );
      // A task created meanwhile waits, though the worker is idle.
      const task = await createSleep(1);
      await rowIn(task.id, 'QUEUED').waitFor({ timeout: 2_000 });
      mkdirSync(screenshotDir, { recursive: true });
      await page.screenshot({ path: join(screenshotDir, 'dashboard-queue-paused.png'), fullPage: true });

      await queue.resume();
      await notice.waitFor({ state: 'detached', timeout: 6_000 });
      await rowIn(task.id, 'COMPLETED').waitFor({ timeout: 5_000 });
    } finally {
      await queue.close();
    }
    expectCleanSession(session);
  });

  it('comes back by itself after an API restart on the same port, showing what changed meanwhile', async () => {
    // Queued while no worker runs, so that nothing moves before the API is gone.
    const finishing = await createSleep(1);
    const cancelled = await createSleep(30);
    await openDashboard();
    await markPage();
    await rowIn(finishing.id, 'QUEUED').waitFor({ timeout: 5_000 });
    await rowIn(cancelled.id, 'QUEUED').waitFor({ timeout: 5_000 });

    expectCleanSession(session);
    const port = Number(new URL(api.url).port);
    await api.close();
    await badgeShows('reconnecting').waitFor({ timeout: 5_000 });

    // Meanwhile: one task is cancelled straight in Redis, a worker runs the other to its end.
    const store = createTaskStore(stack.redis, stack.partitions);
    await store.cancel({ id: cancelled.id, name: cancelled.name });
    await stack.startWorker({ concurrency: 1 });
    await waitFor(async () => (await store.get(finishing.id))?.state === 'COMPLETED', { what: 'completion' });
    // Nothing could tell the page yet.
    await expect(row(finishing.id).getAttribute('data-state')).resolves.toBe('QUEUED');

    api = await stack.startApi({ http: { port } });
    await badgeShows('connected').waitFor({ timeout: 10_000 });
    // Chromium itself logs each refused attempt while the API is away: those, and only those, are expected.
    const refused = new RegExp(
      `^console: (WebSocket connection to 'ws://127\\.0\\.0\\.1:${port}/graphql' failed: .*|Failed to load resource: )net::ERR_CONNECTION_REFUSED$`,
    );
    expect(session.errors.filter((error) => !refused.test(error))).toEqual([]);
    session.errors.length = 0;
    await rowIn(finishing.id, 'COMPLETED').waitFor({ timeout: 5_000 });
    await rowIn(cancelled.id, 'CANCELLED').waitFor({ timeout: 5_000 });
    await expect(row(finishing.id).locator('.progress-text').textContent()).resolves.toBe('100% (1/1)');
    expect(await pageWasNotReloaded()).toBe(true);
    expectCleanSession(session);
  });
});
