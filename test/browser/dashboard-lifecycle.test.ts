import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectCleanSession, openBrowser, screenshotDir, type BrowserSession } from '../support/browser.js';
import { gqlData } from '../support/graphql.js';
import { inParis } from '../support/schedules.js';
import { createTestStack, type TestApi, type TestStack } from '../support/stack.js';
import { waitFor } from '../../testbed/wait.js';

describe("the dashboard's task options, task logs and schedules in Chromium", () => {
  let stack: TestStack;
  let api: TestApi;
  let session: BrowserSession;

  beforeEach(async () => {
    stack = await createTestStack();
    api = await stack.startApi();
    session = await openBrowser();
    mkdirSync(screenshotDir, { recursive: true });
  });

  afterEach(async () => {
    await session?.close();
    await stack?.close();
  });

  const rows = () => session.page.locator('tr[data-task-id]');
  const row = (id: string) => session.page.locator(`tr[data-task-id="${id}"]`);
  const rowIn = (id: string, state: string) => session.page.locator(`tr[data-task-id="${id}"][data-state="${state}"]`);
  const form = (name: string) => session.page.getByRole('form', { name });
  const screenshot = (name: string) =>
    session.page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });

  async function openDashboard() {
    await session.page.goto(api.url);
    await session.page.locator('[data-connection="connected"]').waitFor({ timeout: 10_000 });
  }

  /** The field of a form's options with this label: the disclosure is opened first when closed. */
  async function option(formName: string, label: string) {
    const options = form(formName).locator('details.options');
    if ((await options.getAttribute('open')) === null) await options.locator('summary').click();
    return options.getByLabel(label);
  }

  /** The message right under a field, as the form shows the server's error for it. */
  const errorUnder = (field: Locator) =>
    field.locator('xpath=following-sibling::*[1][contains(@class, "field-error")]');

  const scheduleForm = () => form('Schedule');
  const panel = () => session.page.getByRole('region', { name: 'Schedules' });
  const scheduleRows = () => panel().locator('tr[data-schedule-id]');

  it('creates a delayed, prioritized task from the form: it waits with its start time, then runs; its detail shows the options and its log', async () => {
    await stack.startWorker();
    await openDashboard();
    const { page } = session;
    const sleep = 'Sleep task';
    await form(sleep).getByLabel('Duration (1 to 300)').fill('1');
    await (await option(sleep, 'Priority (1 first, to 1000)')).fill('5');
    await (await option(sleep, 'Delay (seconds)')).fill('3');
    await (await option(sleep, 'Time limit (seconds)')).fill('20');
    const key = `dashboard-${Date.now()}`;
    await (await option(sleep, 'Idempotency key')).fill(key);
    await form(sleep).getByRole('button', { name: 'Start sleep task' }).click();

    await rows().first().waitFor({ timeout: 5_000 });
    const id = (await rows().first().getAttribute('data-task-id'))!;
    // Waiting, with its priority and the time it starts under its state.
    const starts = rowIn(id, 'QUEUED').locator('.starts');
    await starts.waitFor({ timeout: 2_000 });
    const { task: stored } = await gqlData(api.url, 'query($id: ID!) { task(id: $id) { createdAt runAt } }', { id });
    expect(Date.parse(stored.runAt) - Date.parse(stored.createdAt)).toBeGreaterThanOrEqual(2_900);
    await expect(starts.getAttribute('data-run-at')).resolves.toBe(stored.runAt);
    await expect(starts.textContent()).resolves.toBe(
      `starts ${await page.evaluate((iso) => new Date(iso).toLocaleTimeString(), stored.runAt)}`,
    );
    await expect(rowIn(id, 'QUEUED').locator('[data-priority]').textContent()).resolves.toBe('priority 5');
    await screenshot('dashboard-delayed-task');

    // The detail, opened while it waits: its options, and a log with nothing in it yet.
    await row(id)
      .getByRole('button', { name: id.slice(0, 8), exact: true })
      .click();
    const detail = page.getByRole('region', { name: `Task ${id.slice(0, 8)}` });
    const value = (term: string) => detail.locator(`dt:text-is("${term}") + dd`);
    await value('Priority').waitFor({ timeout: 5_000 });
    await expect(value('Priority').textContent()).resolves.toBe('5');
    await expect(value('Time limit').textContent()).resolves.toBe('20 s');
    await expect(value('Run at').locator('time').getAttribute('datetime')).resolves.toBe(stored.runAt);
    await expect(detail.getByText('No lines yet.').count()).resolves.toBe(1);

    // Then it runs: the start time goes, and the log fills, line by line, each with its time and level.
    await rowIn(id, 'COMPLETED').waitFor({ timeout: 10_000 });
    await expect(row(id).locator('.starts').count()).resolves.toBe(0);
    const { task: ran } = await gqlData(api.url, 'query($id: ID!) { task(id: $id) { startedAt runAt } }', { id });
    expect(Date.parse(ran.startedAt)).toBeGreaterThanOrEqual(Date.parse(ran.runAt));
    const lines = detail.locator('ol.logs li');
    await waitFor(async () => (await lines.count()) === 2, { what: 'two lines in the log' });
    await expect(lines.locator('.log-message').allTextContents()).resolves.toEqual(['sleeping 1 s', 'slept 1 s']);
    await expect(lines.locator('.log-level').allTextContents()).resolves.toEqual(['info', 'info']);
    const times = await lines
      .locator('time')
      .evaluateAll((nodes) => nodes.map((node) => Date.parse(node.getAttribute('datetime')!)));
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(900);
    expect(times[0]).toBeGreaterThanOrEqual(Date.parse(ran.runAt));
    await detail.screenshot({ path: join(screenshotDir, 'dashboard-task-logs.png') });

    // The same form again, with the same key: the first task, not a new one.
    const answered = page.waitForResponse(
      (response) => response.request().postData()?.includes('"operationName":"CreateTask"') ?? false,
    );
    await form(sleep).getByRole('button', { name: 'Start sleep task' }).click();
    expect((await (await answered).json()).data.createTask.id).toBe(id);
    await expect(rows().count()).resolves.toBe(1);
    // Other input under the same key: refused, under the key's field.
    await form(sleep).getByLabel('Duration (1 to 300)').fill('2');
    await form(sleep).getByRole('button', { name: 'Start sleep task' }).click();
    const keyField = await option(sleep, 'Idempotency key');
    await expect(errorUnder(keyField).textContent({ timeout: 5_000 })).resolves.toContain(
      `The idempotency key "${key}" was used for another request`,
    );
    await expect(keyField.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(rows().count()).resolves.toBe(1);
    await screenshot('dashboard-options-conflict');
    expectCleanSession(session);
  });

  it('shows each refused option under its field, opening the options, and creates nothing', async () => {
    await openDashboard();
    const calculation = 'Calculation task';
    await form(calculation).getByLabel('Numbers (1 to 100 integers)').fill('1, 2, 3');
    const priority = await option(calculation, 'Priority (1 first, to 1000)');
    await priority.fill('0');
    const delay = await option(calculation, 'Delay (seconds)');
    await delay.fill('5');
    await (await option(calculation, 'Or start at')).fill('2030-01-31T12:00:00');
    const limit = await option(calculation, 'Time limit (seconds)');
    await limit.fill('100000');
    // Closed again, the disclosure sums up what is set.
    const summary = form(calculation).locator('details.options summary');
    await summary.click();
    // The page hears of the toggle a moment later.
    await waitFor(
      async () => /^Options \(priority 0, in 5 s, at .+, limit 100000 s\)$/.test((await summary.textContent())!),
      {
        what: 'the summary of the options set',
      },
    );
    await form(calculation).getByRole('button', { name: 'Start calculation task' }).click();

    await errorUnder(priority).waitFor({ timeout: 5_000 });
    await expect(form(calculation).locator('details.options').getAttribute('open')).resolves.not.toBeNull();
    await expect(errorUnder(priority).textContent()).resolves.toBe('must be between 1 (first) and 1000');
    await expect(errorUnder(delay).textContent()).resolves.toBe('set runAt or delaySeconds, not both');
    await expect(errorUnder(limit).textContent()).resolves.toContain("the workers' limit (WORKER_MAX_TIMEOUT)");
    for (const field of [priority, delay, limit]) {
      await expect(field.getAttribute('aria-invalid')).resolves.toBe('true');
      await expect(field.getAttribute('aria-describedby')).resolves.toBe(await errorUnder(field).getAttribute('id'));
    }
    // A value that is no whole number is refused by the form itself.
    await delay.fill('');
    await priority.fill('1.5');
    await form(calculation).getByRole('button', { name: 'Start calculation task' }).click();
    await expect(errorUnder(priority).textContent()).resolves.toBe('Write a whole number');
    await screenshot('dashboard-option-errors');

    expect(await stack.redis.keys(`${stack.keys.prefix}:task:*`)).toEqual([]);
    await expect(rows().count()).resolves.toBe(0);
    expectCleanSession(session);
  });

  it("shows a task's own time limit ending it, and the log's error line", async () => {
    await stack.startWorker();
    await openDashboard();
    const sleep = 'Sleep task';
    await form(sleep).getByLabel('Duration (1 to 300)').fill('3');
    await (await option(sleep, 'Time limit (seconds)')).fill('1');
    await form(sleep).getByRole('button', { name: 'Start sleep task' }).click();
    await rows().first().waitFor({ timeout: 5_000 });
    const id = (await rows().first().getAttribute('data-task-id'))!;
    await row(id)
      .getByRole('button', { name: id.slice(0, 8), exact: true })
      .click();
    await rowIn(id, 'FAILED').waitFor({ timeout: 10_000 });
    const detail = session.page.getByRole('region', { name: `Task ${id.slice(0, 8)}` });
    const failed = detail.locator('ol.logs li[data-level="error"]');
    await failed.waitFor({ timeout: 5_000 });
    await expect(failed.locator('.log-message').textContent()).resolves.toBe(
      'failed on attempt 1: sleep of 3 s reached its time limit of 1 s (timeoutSeconds)',
    );
    await expect(detail.locator('ol.logs .log-message').first().textContent()).resolves.toBe('sleeping 3 s');
    await detail.screenshot({ path: join(screenshotDir, 'dashboard-task-logs-error.png') });
    expectCleanSession(session);
  });

  it('creates a schedule from its form, shows its next run and latest task live, opens that task, and deletes it', async () => {
    await stack.startWorker();
    await openDashboard();
    await panel().getByText('No schedules').waitFor({ timeout: 5_000 });
    const { page } = session;
    await scheduleForm().getByLabel('Task').selectOption('calculation_task');
    await scheduleForm().getByLabel('Numbers (1 to 100 integers)').fill('4, 5');
    await scheduleForm().getByLabel('Runs').selectOption('every');
    await scheduleForm().getByLabel('Every (seconds)').fill('2');
    await scheduleForm().getByRole('button', { name: 'Create schedule' }).click();

    await scheduleRows().first().waitFor({ timeout: 5_000 });
    const scheduleRow = scheduleRows().first();
    const id = (await scheduleRow.getAttribute('data-schedule-id'))!;
    const cells = await scheduleRow.locator('td').allTextContents();
    expect(cells.slice(0, 3)).toEqual([id.slice(0, 8), 'Calculation', 'every 2 s']);

    // Its runs: the latest task shows, live, and the next run moves on.
    const nextRun = () => scheduleRow.locator('time[data-next-run]').getAttribute('data-next-run');
    const firstNext = await nextRun();
    expect(firstNext).not.toBeNull();
    const lastTask = scheduleRow.locator('.last-task');
    await lastTask.locator('.badge', { hasText: 'COMPLETED' }).waitFor({ timeout: 10_000 });
    await waitFor(async () => (await nextRun()) !== firstNext, { timeoutMs: 10_000, what: 'the next run to move on' });
    const taskId = (await lastTask.getAttribute('data-task-id'))!;
    const { task } = await gqlData(api.url, 'query($id: ID!) { task(id: $id) { scheduleId } }', { id: taskId });
    expect(task.scheduleId).toBe(id);
    await page.locator(`tr[data-task-id="${taskId}"]`).waitFor({ timeout: 5_000 }); // and in the task list
    await page.screenshot({ path: join(screenshotDir, 'dashboard-schedules.png'), fullPage: true });

    // Its latest task opens in the detail, naming the schedule, its log saying what it computed. The
    // schedule runs every 2 s, so the latest task may have moved on by the click: whichever it
    // opened must be one of its runs.
    await lastTask.getByRole('button').click();
    const detail = page.getByRole('region', { name: /^Task [0-9a-f]{8}$/ });
    await expect(detail.locator('dt:text-is("Schedule") + dd').textContent({ timeout: 5_000 })).resolves.toBe(id);
    const openedId = (await detail.locator('dt:text-is("ID") + dd').textContent())!;
    const opened = await gqlData(api.url, 'query($id: ID!) { task(id: $id) { scheduleId } }', { id: openedId });
    expect(opened.task.scheduleId).toBe(id);
    await detail.locator('ol.logs li').first().waitFor({ timeout: 5_000 });
    await expect(detail.locator('ol.logs .log-message').allTextContents()).resolves.toEqual(['SUM of 2 numbers = 9']);

    await scheduleRow.getByRole('button', { name: `Delete schedule ${id.slice(0, 8)}` }).click();
    await panel().getByText('No schedules').waitFor({ timeout: 5_000 });
    await expect(gqlData(api.url, '{ taskSchedules { id } }')).resolves.toEqual({ taskSchedules: [] });
    expectCleanSession(session);
  });

  it('shows a refused cron expression and time zone under their fields, then creates the schedule once fixed', async () => {
    await openDashboard();
    await panel().getByText('No schedules').waitFor({ timeout: 5_000 });
    await scheduleForm().getByLabel('Task').selectOption('sleep_task');
    await scheduleForm().getByLabel('Runs').selectOption('cron');
    const cron = scheduleForm().getByLabel('Cron expression');
    const timezone = scheduleForm().getByLabel('Time zone');
    await cron.fill('every day');
    await timezone.fill('Mars/Olympus');
    await scheduleForm().getByRole('button', { name: 'Create schedule' }).click();
    await errorUnder(cron).waitFor({ timeout: 5_000 });
    await expect(errorUnder(cron).textContent()).resolves.toMatch(/^"every day" is not a cron expression/);
    await expect(errorUnder(timezone).textContent()).resolves.toBe(
      '"Mars/Olympus" is not a time zone: give an IANA name such as Europe/Paris',
    );
    await expect(cron.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(scheduleRows().count()).resolves.toBe(0);
    await session.page.screenshot({ path: join(screenshotDir, 'dashboard-schedule-errors.png'), fullPage: true });

    await cron.fill('0 9 * * 1-5');
    await timezone.fill('Europe/Paris');
    await scheduleForm().getByRole('button', { name: 'Create schedule' }).click();
    await scheduleRows().first().waitFor({ timeout: 5_000 });
    await expect(errorUnder(cron).count()).resolves.toBe(0);
    const cells = await scheduleRows().first().locator('td').allTextContents();
    expect(cells.slice(1, 3)).toEqual(['Sleep', '0 9 * * 1-5 (Europe/Paris)']);
    expect(cells[4]).toBe('none yet');
    const nextRunAt = (await scheduleRows().first().locator('time').getAttribute('datetime'))!;
    expect(inParis(nextRunAt)).toMatch(/^(Mon|Tue|Wed|Thu|Fri) 09:00$/);
    // On a phone the forms and the panel stand one above the other, each within the screen.
    await session.page.setViewportSize({ width: 390, height: 844 });
    for (const part of [scheduleForm(), panel(), form('Sleep task')]) {
      const box = (await part.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(390);
    }
    // The table scrolls sideways within the panel, as the task table does, its id and creation time left out.
    await expect(panel().locator('th', { hasText: 'Created' }).isVisible()).resolves.toBe(false);
    await panel().screenshot({ path: join(screenshotDir, 'dashboard-schedules-phone.png') });
    expectCleanSession(session);
  });
});
