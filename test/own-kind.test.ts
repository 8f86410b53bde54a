import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEntryPoint, type RunningProcess } from '../testbed/processes.js';
import { freePort } from '../testbed/ports.js';
import { waitFor, within } from '../testbed/wait.js';
import { expectCleanSession, openBrowser, screenshotDir } from './support/browser.js';
import { runCli } from './support/cli.js';
import { gql, gqlData, watch, wsClient } from './support/graphql.js';
import { projectDir, REDIS_URL } from './support/stack.js';

/** The kind docs/task-kinds.md adds, as it is written there: the test follows the page. */
function documentedKind(): string {
  const page = readFileSync(join(projectDir, 'docs', 'task-kinds.md'), 'utf8');
  const block = /```ts\n(\/\/ tasks\/word-count\.ts\n[\s\S]*?)```/.exec(page);
  if (!block) throw new Error('docs/task-kinds.md has no tasks/word-count.ts block');
  return block[1]!;
}

/**
 * A copy of the project as a team would have it: every file git knows (committed or new, not
 * ignored), with the installed packages and the built dashboard linked in.
 */
function copyProject(): string {
  const copy = mkdtempSync(join(tmpdir(), 'task-service-copy-'));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: projectDir,
    encoding: 'utf8',
  })
    .split('\0')
    // What is linked in below, which git lists when it is a link (a worktree's node_modules may be).
    .filter((file) => file && file !== 'node_modules' && file !== 'client/dist');
  for (const file of files) {
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    try {
      cpSync(join(projectDir, file), join(copy, file));
    } catch {
      // A file git knows that is deleted in the working tree.
    }
  }
  symlinkSync(join(projectDir, 'node_modules'), join(copy, 'node_modules'));
  symlinkSync(join(projectDir, 'client', 'dist'), join(copy, 'client', 'dist'));
  return copy;
}

const CREATE = `mutation ($text: String!) {
  createWordCountTask(input: { text: $text }) { id name state ... on WordCountTask { text } }
}`;
const PROGRESS = `subscription ($id: ID!) {
  taskProgress(id: $id) { id state current total ... on WordCountTask { result { words } } }
}`;

describe('a kind of your own, added as one file', () => {
  let copy: string;
  const running: RunningProcess[] = [];
  let url: string;
  const prefix = `{own-kind-${randomUUID()}}`;

  beforeAll(async () => {
    copy = copyProject();
    writeFileSync(join(copy, 'tasks', 'word-count.ts'), documentedKind());
    const port = await freePort();
    const env = {
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_FORMAT: 'json',
      NODE_ENV: 'production',
    };
    url = `http://127.0.0.1:${port}`;
    running.push(startEntryPoint('src/main.ts', [], { cwd: copy, env, ownGroup: true }));
    running.push(startEntryPoint('worker/main.ts', [], { cwd: copy, env, ownGroup: true }));
    await waitFor(() => gql(url, '{ __typename }'), {
      what: 'the API of the copy',
      timeoutMs: 30_000,
    }).catch((error: Error) => {
      throw new Error(`${error.message}; its output: ${running[0]!.output().slice(-4_000)}`);
    });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(running.map((entry) => entry.stop()));
    if (copy) rmSync(copy, { recursive: true, force: true });
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('should be listed by taskKinds, created with its typed mutation and watched to its result', async () => {
    const { taskKinds } = await gqlData<{ taskKinds: { name: string; inputSchema: any }[] }>(
      url,
      '{ taskKinds { name inputSchema } }',
    );
    const wordCount = taskKinds.find((kind) => kind.name === 'word_count_task');
    expect(wordCount?.inputSchema.properties.text).toMatchObject({ type: 'string', minLength: 1, maxLength: 100_000 });

    const { createWordCountTask: task } = await gqlData<{ createWordCountTask: { id: string; text: string } }>(
      url,
      CREATE,
      { text: 'one two  three' },
    );
    expect(task.text).toBe('one two  three');
    const client = wsClient(url);
    try {
      const watched = watch<{ taskProgress: { state: string; result: { words: number } | null } }>(client, PROGRESS, {
        id: task.id,
      });
      await within(watched.ended, 30_000, 'the end of the word count');
      expect(watched.values.at(-1)?.taskProgress).toMatchObject({ state: 'COMPLETED', result: { words: 3 } });
    } finally {
      await client.dispose();
    }
  });

  it('should be created and watched by the command line, and shown with its input and result by the dashboard, neither built with it', async () => {
    // The command line's documents and the dashboard's bundle are this project's, made before the kind was added.
    const cli = await runCli(['create', 'word-count', '--text', 'one two  three', '--watch'], {
      TASK_SERVICE_URL: url,
    });
    expect(cli).toMatchObject({ code: 0, stderr: '' });
    const lines = cli.stdout.trimEnd().split('\n');
    const id = /^created word_count_task (\S+) /.exec(lines[0]!)?.[1];
    expect(lines.at(-1)).toBe(`${id} completed: 3`);

    const session = await openBrowser();
    try {
      const { page } = session;
      await page.goto(url);
      const row = page.locator(`tr[data-task-id="${id}"][data-state="COMPLETED"]`);
      await row.waitFor({ timeout: 10_000 });
      await expect(row.locator('.outcome').textContent()).resolves.toBe('3');
      await row.getByRole('button', { name: id!.slice(0, 8), exact: true }).click();
      const detail = page.getByRole('region', { name: `Task ${id!.slice(0, 8)}` });
      await detail.getByText('(finished)').waitFor({ timeout: 5_000 });
      await expect(detail.locator('dd[data-input="text"]').textContent()).resolves.toBe('one two  three');
      await expect(detail.locator('dd.outcome').textContent()).resolves.toBe('3');
      mkdirSync(screenshotDir, { recursive: true });
      await detail.screenshot({ path: join(screenshotDir, 'dashboard-own-kind-detail.png') });
      expectCleanSession(session);
    } finally {
      await session.close();
    }
  });

  it('should have its form in the dashboard, which creates it and shows it COMPLETED', async () => {
    const session = await openBrowser();
    try {
      const { page } = session;
      await page.goto(url);
      const form = page.locator('form[data-kind="word_count_task"]');
      await form.waitFor({ timeout: 15_000 });
      await expect(form.locator('.kind-description').textContent()).resolves.toBe('Counts the words of a text.');
      await form.locator('[name="text"]').fill('the form counts these five');
      // The ids from before the click come from the API: the page's list may still be loading.
      const { tasks } = await gqlData<{ tasks: { nodes: { id: string }[] } }>(
        url,
        '{ tasks(first: 100) { nodes { id } } }',
      );
      const before = new Set(tasks.nodes.map((task) => task.id));
      await form.getByRole('button', { name: /^Start / }).click();
      const id = await waitFor(
        async () => {
          const ids = await page
            .locator('tr[data-task-id]')
            .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-task-id')));
          return ids.find((rowId) => rowId && !before.has(rowId));
        },
        { what: 'its row', timeoutMs: 15_000 },
      );
      await page.locator(`tr[data-task-id="${id}"][data-state="COMPLETED"]`).waitFor({ timeout: 20_000 });
      const { task } = await gqlData<{ task: { name: string; output: unknown } }>(
        url,
        'query ($id: ID!) { task(id: $id) { name output } }',
        { id },
      );
      expect(task).toEqual({ name: 'word_count_task', output: { words: 5 } });
      mkdirSync(screenshotDir, { recursive: true });
      await page.screenshot({ path: join(screenshotDir, 'own-kind-dashboard.png'), fullPage: true });
      expectCleanSession(session);
    } finally {
      await session.close();
    }
  });

  it('should refuse input its schema refuses, naming the field, in the command line too', async () => {
    const refused = await runCli(['create', 'word_count', '--text', ''], { TASK_SERVICE_URL: url });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('input.text');
  });

  it('should refuse input its schema refuses, naming the field', async () => {
    const { errors } = await gql(url, CREATE, { text: '' });
    expect(errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      problems: [{ field: 'input.text', message: expect.any(String) }],
    });
  });

  it('should stop the start of the API and the worker on a kind file that does not map, naming file and field', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'task-service-broken-'));
    try {
      cpSync(copy, broken, { recursive: true, verbatimSymlinks: true });
      writeFileSync(
        join(broken, 'tasks', 'either.ts'),
        documentedKind()
          .replace("name: 'word_count_task'", "name: 'either_task'")
          .replace('z.string().min(1).max(100_000)', 'z.string().or(z.int())'),
      );
      for (const entry of ['src/main.ts', 'worker/main.ts']) {
        const start = startEntryPoint(entry, [], {
          cwd: broken,
          env: { REDIS_URL, LOG_FORMAT: 'json' },
          ownGroup: true,
        });
        running.push(start);
        expect(await within(start.exited, 30_000, `${entry} to stop`)).toBe(1);
        expect(start.output()).toMatch(/task kind tasks\/either\.ts: input\.text: a union/);
      }
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  }, 60_000);
});
