import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectCleanSession, openBrowser, screenshotDir, type BrowserSession } from '../support/browser.js';
import { gqlData } from '../support/graphql.js';
import { createTestStack, type TestApi, type TestStack } from '../support/stack.js';
import { waitFor } from '../../testbed/wait.js';

interface Property {
  type?: string;
  description?: string;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  items?: Property;
}

interface Kind {
  name: string;
  typeName: string;
  description: string;
  isolation: 'INLINE' | 'THREAD';
  inputSchema: { properties: Record<string, Property>; required?: string[] };
}

/** A value within a field's bounds, as it is typed into its control. */
function typed(property: Property): string {
  if (property.type === 'array') {
    const count = Math.max(1, property.minItems ?? 1);
    return Array.from({ length: count }, (_, i) => typed({ ...property.items, minimum: i + 1 })).join(', ');
  }
  if (property.type === 'integer' || property.type === 'number') {
    return String(Math.min(Math.max(1, property.minimum ?? 1), property.maximum ?? 1));
  }
  return 'x';
}

describe("the dashboard's forms, drawn from taskKinds, in Chromium", () => {
  let stack: TestStack;
  let api: TestApi;
  let session: BrowserSession;
  let kinds: Kind[];

  beforeEach(async () => {
    stack = await createTestStack();
    api = await stack.startApi();
    session = await openBrowser();
    ({ taskKinds: kinds } = await gqlData<{ taskKinds: Kind[] }>(
      api.url,
      '{ taskKinds { name typeName description isolation inputSchema } }',
    ));
    mkdirSync(screenshotDir, { recursive: true });
  });

  afterEach(async () => {
    await session?.close();
    await stack?.close();
  });

  async function openDashboard() {
    await session.page.goto(api.url);
    await session.page.locator('[data-connection="connected"]').waitFor({ timeout: 10_000 });
    await session.page.locator('form[data-kind]').first().waitFor({ timeout: 10_000 });
  }

  it('has a form for every kind: its description, a labelled control per field with its hint and bounds, and the kind in the schedule form and the filter', async () => {
    await openDashboard();
    const { page } = session;
    await expect(
      page.locator('form[data-kind]').evaluateAll((forms) => forms.map((form) => form.dataset.kind)),
    ).resolves.toEqual(kinds.map((kind) => kind.name));
    for (const kind of kinds) {
      const form = page.locator(`form[data-kind="${kind.name}"]`);
      const title = await form.locator('h2').textContent();
      expect(await page.getByRole('form', { name: title! }).getAttribute('data-kind')).toBe(kind.name);
      expect(title).toMatch(/ task$/);
      await expect(form.getByRole('button', { name: `Start ${title!.toLowerCase()}` }).count()).resolves.toBe(1);
      // Its sentence, the backquotes of its `code` drawn as code, and where it runs when in a thread.
      const isolation = kind.isolation === 'THREAD' ? ' Runs in a worker thread.' : '';
      await expect(form.locator('.kind-description').textContent()).resolves.toBe(
        kind.description.replaceAll('`', '') + isolation,
      );
      for (const [name, property] of Object.entries(kind.inputSchema.properties)) {
        const control = form.locator(`[name="${name}"]`);
        await expect(control.count(), `${kind.name}.${name}`).resolves.toBe(1);
        const id = (await control.getAttribute('id'))!;
        const label = (await form.locator(`label[for="${id}"]`).textContent())!;
        expect(label.toLowerCase()).toContain(name.replace(/([A-Z])/g, ' $1').toLowerCase());
        const hint = (await control.getAttribute('aria-describedby'))!;
        await expect(page.locator(`[id="${hint}"]`).textContent()).resolves.toBe(property.description);
        if (property.enum) {
          await expect(control.locator('option').allTextContents()).resolves.toEqual(property.enum);
        } else if (property.type === 'integer') {
          await expect(control.getAttribute('type')).resolves.toBe('number');
          await expect(control.getAttribute('step')).resolves.toBe('1');
          if (property.minimum !== undefined) {
            await expect(control.getAttribute('min')).resolves.toBe(String(property.minimum));
          }
          if (property.maximum !== undefined) {
            await expect(control.getAttribute('max')).resolves.toBe(String(property.maximum));
          }
        } else if (property.type === 'array' && property.maxItems !== undefined) {
          expect(label).toContain(`${property.minItems ?? 0} to ${property.maxItems}`);
        }
      }
    }
    const labels = (names: string[]) => names.map((name) => name.replace(/_task$/, '').replace(/_/g, ' '));
    const lower = (texts: string[]) => texts.map((text) => text.toLowerCase());
    const scheduleKinds = page.getByRole('form', { name: 'Schedule' }).getByLabel('Task').locator('option');
    await expect(
      scheduleKinds.evaluateAll((options) => options.map((option) => (option as any).value)),
    ).resolves.toEqual(kinds.map((kind) => kind.name));
    expect(lower(await scheduleKinds.allTextContents())).toEqual(labels(kinds.map((kind) => kind.name)));
    const filter = page.locator('#filter-kind option');
    expect(lower((await filter.allTextContents()).slice(1))).toEqual(labels(kinds.map((kind) => kind.name)));
    await page.screenshot({ path: join(screenshotDir, 'dashboard-kind-forms.png'), fullPage: true });
    // On a phone, each form within the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    for (const form of await page.locator('form[data-kind]').all()) {
      const box = (await form.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(390);
    }
    await page.locator('.forms').screenshot({ path: join(screenshotDir, 'dashboard-kind-forms-phone.png') });
    expectCleanSession(session);
  });

  it("creates a task of every kind through its form and createTask, runs it to COMPLETED, and shows its input by its schema's fields and its result", async () => {
    await stack.startWorker();
    await openDashboard();
    const { page } = session;
    const sent: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/graphql')) sent.push(JSON.parse(request.postData() ?? '{}').operationName);
    });
    for (const kind of kinds) {
      const form = page.locator(`form[data-kind="${kind.name}"]`);
      for (const name of kind.inputSchema.required ?? []) {
        const property = kind.inputSchema.properties[name]!;
        if (!property.enum) await form.locator(`[name="${name}"]`).fill(typed(property));
      }
      const before = await page.locator('tr[data-task-id]').count();
      await form.getByRole('button', { name: /^Start / }).click();
      await waitFor(async () => (await page.locator('tr[data-task-id]').count()) === before + 1, {
        what: `the ${kind.name} row`,
      });
      const id = (await page.locator('tr[data-task-id]').first().getAttribute('data-task-id'))!;
      await page.locator(`tr[data-task-id="${id}"][data-state="COMPLETED"]`).waitFor({ timeout: 15_000 });
      const { task } = await gqlData(api.url, 'query($id: ID!) { task(id: $id) { name } }', { id });
      expect(task.name).toBe(kind.name);

      await page
        .locator(`tr[data-task-id="${id}"]`)
        .getByRole('button', { name: id.slice(0, 8), exact: true })
        .click();
      const detail = page.getByRole('region', { name: `Task ${id.slice(0, 8)}` });
      await detail.getByText('(finished)').waitFor({ timeout: 5_000 });
      // Its input's fields, each by its name in the schema, and its result: read as JSON (`input`,
      // `output`), so a kind the page was built without shows them as the others do.
      const { task: read } = await gqlData(api.url, 'query($id: ID!) { task(id: $id) { input output } }', { id });
      const shown = await detail
        .locator('dd[data-input]')
        .evaluateAll((cells) => cells.map((cell) => (cell as any).dataset.input));
      expect(shown).toEqual(Object.keys(kind.inputSchema.properties).filter((name) => name in read.input));
      const result = Object.values(read.output as Record<string, unknown>);
      expect(result.length).toBeGreaterThan(0);
      const outcome = (await detail.locator('dd.outcome').textContent())!;
      for (const value of result) expect(outcome).toContain(String(value));
      await expect(page.locator(`tr[data-task-id="${id}"] .outcome`).textContent()).resolves.toBe(outcome);
      await detail.screenshot({ path: join(screenshotDir, `dashboard-kind-detail-${kind.name}.png`) });
      await detail.getByRole('button', { name: 'Close' }).click();
    }
    expect(sent.filter((name) => name === 'CreateTask')).toHaveLength(kinds.length);
    expect(sent.some((name) => /^Create\w+Task$/.test(name) && name !== 'CreateTask')).toBe(false);
    await page.screenshot({ path: join(screenshotDir, 'dashboard-kind-tasks.png'), fullPage: true });
    expectCleanSession(session);
  });

  it("shows the server's problem with an item of a list under the list, and a word in a number field under that field, creating nothing", async () => {
    await openDashboard();
    const { page } = session;
    const form = page.getByRole('form', { name: 'Calculation task' });
    const numbers = form.getByLabel('Numbers (1 to 100 integers)');
    await numbers.fill('1, 99999999999');
    await form.getByRole('button', { name: 'Start calculation task' }).click();
    const under = numbers.locator('xpath=following-sibling::*[1][contains(@class, "field-error")]');
    await expect(under.textContent({ timeout: 5_000 })).resolves.toBe('numbers must be 32-bit integers');
    await expect(numbers.getAttribute('aria-invalid')).resolves.toBe('true');
    await numbers.fill('1, two');
    await form.getByRole('button', { name: 'Start calculation task' }).click();
    await expect(under.textContent({ timeout: 5_000 })).resolves.toBe(
      'Write whole numbers separated by commas or spaces',
    );
    await page.screenshot({ path: join(screenshotDir, 'dashboard-kind-list-error.png'), fullPage: true });
    expect(await stack.redis.keys(`${stack.keys.prefix}:task:*`)).toEqual([]);
    expectCleanSession(session);
  });
});
