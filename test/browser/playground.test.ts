import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectCleanSession, openBrowser, screenshotDir, type BrowserSession } from '../support/browser.js';
import { exampleTabs, kindExampleTabs, type ExampleKind } from '../../client/src/playground/examples.js';
import { gqlData, postGraphQL } from '../support/graphql.js';
import { CREATE_SLEEP, type TaskData } from '../support/operations.js';
import { inParis } from '../support/schedules.js';
import { createTestStack, type TestApi, type TestStack } from '../support/stack.js';
import { waitFor } from '../../testbed/wait.js';

const KINDS = '{ taskKinds { name typeName description inputSchema resultSchema progressSchema } }';

describe('the GraphiQL playground in Chromium', () => {
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

  /** Monaco draws spaces as no-break spaces; the tests compare plain text. */
  const editorText = async (selector: string) =>
    (await session.page.locator(`${selector} .view-lines`).innerText()).replace(/\u00a0/g, ' ');

  it('loads offline with the example tabs, and streams a subscription into the response pane', async () => {
    const { page } = session;
    // No worker yet: the task waits, so the subscription sees it queued, then every step.
    const { createSleepTask: task } = await gqlData<{ createSleepTask: TaskData }>(api.url, CREATE_SLEEP, {
      input: { duration: 2 },
    });

    // A browser's navigation asks for text/html, which gets the playground instead of a GraphQL answer.
    await page.goto(`${api.url}/graphql`);
    await page.locator('.graphiql-query-editor .monaco-editor').waitFor({ timeout: 15_000 });
    // The fixed examples, then one per kind the service runs.
    const { taskKinds } = await gqlData<{ taskKinds: ExampleKind[] }>(api.url, KINDS);
    await expect(page.locator('.graphiql-tab').allInnerTexts()).resolves.toEqual([
      'CreateSleepTask',
      'WatchTask',
      'ListTasks',
      'CreateDelayedTask',
      'TaskLogs',
      'CreateSchedule',
      'Queues',
      ...taskKinds.map((kind) => `Create${kind.typeName}ByKind`),
    ]);

    // Typing key by key would trip monaco's auto-closing brackets; insertText types it in one go.
    const subscription = `subscription Follow { taskProgress(id: "${task.id}") { state current } }`;
    await page.locator('.graphiql-query-editor .monaco-editor').click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.insertText(subscription);
    expect(await editorText('.graphiql-query-editor')).toBe(subscription);
    // Laid out on several lines, so that the whole operation shows in the screenshot.
    await page.getByRole('button', { name: 'Prettify query (Shift-Ctrl-P)' }).click();
    await waitFor(async () => (await editorText('.graphiql-query-editor')).split('\n').length > 3, {
      what: 'prettier',
    });
    // Back to its start: the editor stayed scrolled to the end of the long line.
    await page.locator('.graphiql-query-editor .monaco-editor').click();
    await page.keyboard.press('ControlOrMeta+Home');
    // GraphiQL reads the editor a moment later; run before that and it sends the tab's old operation name.
    await page.locator('.graphiql-tab', { hasText: 'Follow' }).waitFor({ timeout: 5_000 });
    await page.getByRole('button', { name: 'Execute query (Ctrl-Enter)' }).click();

    // Each result replaces the last in the pane: collect the states it shows, in order.
    const states: string[] = [];
    const readPane = async () => {
      const state = /"state": "(\w+)"/.exec(await editorText('.graphiql-response'))?.[1];
      if (state && state !== states.at(-1)) states.push(state);
      return state;
    };
    await waitFor(async () => (await readPane()) === 'QUEUED', { what: 'the queued snapshot' });
    await stack.startWorker();
    await waitFor(async () => (await readPane()) === 'COMPLETED', { what: 'COMPLETED in the response pane' });

    expect(states).toEqual(['QUEUED', 'ACTIVE', 'COMPLETED']);
    expect(await editorText('.graphiql-response')).toContain('"current": 2');
    mkdirSync(screenshotDir, { recursive: true });
    await page.screenshot({ path: join(screenshotDir, 'playground.png') });
    expectCleanSession(session);
  });

  it('runs the examples of a delayed, prioritized create with an idempotency key (the same task twice), a log and a schedule', async () => {
    const { page } = session;
    await page.goto(`${api.url}/graphql`);
    await page.locator('.graphiql-query-editor .monaco-editor').waitFor({ timeout: 15_000 });
    await page.locator('.graphiql-tab', { hasText: 'CreateDelayedTask' }).click();
    await waitFor(async () => (await editorText('.graphiql-query-editor')).includes('mutation CreateDelayedTask'), {
      what: 'the example in the editor',
    });
    // GraphiQL reads the editor a moment after the tab opens: a click before that sends the tab's
    // old operation name, which the server refuses (400), so click again until the answer shows (the
    // example's idempotency key makes a second run the same task).
    let clicks = 0;
    const answer = await waitFor(
      async () => {
        const text = await editorText('.graphiql-response');
        if (text.includes('"createSleepTask"')) return text;
        await page.getByRole('button', { name: 'Execute query (Ctrl-Enter)' }).click();
        clicks++;
        return undefined;
      },
      { what: 'the answer in the response pane', timeoutMs: 15_000, everyMs: 1_000 },
    );
    // Those early clicks' refusals, and nothing else, are left out of the page's errors checked below.
    const refused = 'console: Failed to load resource: the server responded with a status of 400 (Bad Request)';
    for (let early = 1; early < clicks; early++) {
      const at = session.errors.indexOf(refused);
      if (at >= 0) session.errors.splice(at, 1);
    }
    expect(answer).toContain('"state": "QUEUED"');
    expect(answer).toContain('"priority": 1');
    expect(answer).toContain('"timeoutSeconds": 20');
    const id = /"id": "([^"]+)"/.exec(answer)?.[1];
    const { task } = await gqlData(api.url, 'query($id: ID!) { task(id: $id) { createdAt runAt } }', { id });
    expect(Date.parse(task.runAt) - Date.parse(task.createdAt)).toBeGreaterThanOrEqual(29_000);
    await page.screenshot({ path: join(screenshotDir, 'playground-delayed-task.png') });
    // The same operation again, under the same key: the same task, and no other.
    const { createSleepTask: again } = await gqlData(api.url, exampleTabs[3]!.query);
    expect(again.id).toBe(id);
    await expect(gqlData(api.url, '{ tasks { totalCount } }')).resolves.toEqual({ tasks: { totalCount: 1 } });

    // The log example reads that task's log (empty while it waits).
    const { task: logged } = await gqlData(api.url, exampleTabs[4]!.query, { id });
    expect(logged).toEqual({ id, state: 'QUEUED', logs: [] });

    // The schedule example creates one, due at 9:00 on a weekday in Paris.
    const { createCalculationTaskSchedule: schedule } = await gqlData(api.url, exampleTabs[5]!.query);
    expect(schedule).toMatchObject({ name: 'calculation_task', cron: '0 9 * * 1-5', timezone: 'Europe/Paris' });
    expect(inParis(schedule.nextRunAt)).toMatch(/^(Mon|Tue|Wed|Thu|Fri) 09:00$/);
    await gqlData(api.url, 'mutation($id: ID!) { deleteTaskSchedule(id: $id) }', { id: schedule.id });

    // The queues example shows the one queue running, with the delayed task waiting for its time.
    const { queues } = await gqlData(api.url, exampleTabs[6]!.query);
    expect(queues).toEqual([
      {
        name: 'tasks',
        prefix: stack.keys.prefix,
        partition: 0,
        paused: false,
        waiting: 0,
        prioritized: 0,
        delayed: 1,
        active: 0,
        completed: 0,
        failed: 0,
      },
    ]);
    expectCleanSession(session);
  });

  it("runs each kind's examples, by its name through createTask and through its own typed mutation, to COMPLETED", async () => {
    const { page } = session;
    await page.goto(`${api.url}/graphql`);
    await page.locator('.graphiql-query-editor .monaco-editor').waitFor({ timeout: 15_000 });
    const { taskKinds } = await gqlData<{ taskKinds: ExampleKind[] }>(api.url, KINDS);
    const tabs = kindExampleTabs(taskKinds);
    expect(tabs).toHaveLength(taskKinds.length);
    // The tab of the last kind, as the page wrote it from the same answer.
    const last = taskKinds.at(-1)!;
    await page.locator('.graphiql-tab', { hasText: `Create${last.typeName}ByKind` }).click();
    await waitFor(
      async () => (await editorText('.graphiql-query-editor')).includes(`mutation Create${last.typeName} {`),
      {
        what: "the last kind's example in the editor",
      },
    );
    await page.screenshot({ path: join(screenshotDir, 'playground-kind-example.png') });

    await stack.startWorker();
    /** One operation of a tab, as the run button sends the one picked. */
    const run = async (query: string, operationName: string) => {
      const { body } = await postGraphQL(api.url, { query, operationName });
      expect(body.errors, operationName).toBeUndefined();
      return body.data!;
    };
    const ids: string[] = [];
    for (const [i, kind] of taskKinds.entries()) {
      const query = tabs[i]!.query;
      const { createTask } = await run(query, `Create${kind.typeName}ByKind`);
      expect(createTask).toMatchObject({ name: kind.name, state: 'QUEUED' });
      const typed = await run(query, `Create${kind.typeName}`);
      expect(typed[`create${kind.typeName}`]).toMatchObject({ state: 'QUEUED' });
      ids.push(createTask.id, typed[`create${kind.typeName}`].id);
    }
    for (const id of ids) {
      await waitFor(
        async () =>
          (await gqlData(api.url, 'query($id: ID!) { task(id: $id) { state } }', { id })).task.state === 'COMPLETED',
        { what: `task ${id} to complete`, timeoutMs: 15_000 },
      );
    }
    expectCleanSession(session);
  });
});
