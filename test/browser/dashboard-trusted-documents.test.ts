import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrustedDocumentsMode } from '../../src/graphql/trusted-documents.js';
import { expectCleanSession, openBrowser, type BrowserSession } from '../support/browser.js';
import { createTestStack, type TestApi, type TestStack } from '../support/stack.js';

/** A stack whose API runs with `mode`, and a browser, for the tests of a describe block. */
function useDashboardWith(mode: TrustedDocumentsMode) {
  const setup = {} as { stack: TestStack; api: TestApi; session: BrowserSession };
  beforeAll(async () => {
    setup.stack = await createTestStack();
    setup.api = await setup.stack.startApi({ trustedDocuments: { mode } });
    setup.session = await openBrowser();
  });
  afterAll(async () => {
    await setup.session?.close();
    await setup.stack?.close();
  });
  return setup;
}

/** What the page sent to /graphql over HTTP: each request body, parsed. */
type SentBody = { query?: string; extensions?: { persistedQuery?: { sha256Hash?: string } } };

describe('the dashboard in Chromium where the API runs only its trusted documents', () => {
  const setup = useDashboardWith('only');

  it('creates a sleep task from the form and shows it to COMPLETED, sending every operation by its id', async () => {
    const { stack, api, session } = setup;
    const { page } = session;
    const sent: SentBody[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/graphql') && request.method() === 'POST') {
        sent.push(JSON.parse(request.postData() ?? '{}') as SentBody);
      }
    });
    const name = `browser-worker-${Date.now()}`;
    await stack.startWorker({ name });
    await page.goto(api.url);
    await page.locator('[data-connection="connected"]').waitFor({ timeout: 10_000 });
    // The workers come by subscription (graphql-ws), by id too.
    await page.locator(`tr[data-worker="${name}"]`).waitFor({ timeout: 5_000 });

    const form = page.getByRole('form', { name: 'Sleep task' });
    await form.getByLabel('Duration (1 to 300)').fill('2');
    await form.getByRole('button', { name: 'Start sleep task' }).click();
    const row = page.locator('tr[data-task-id]').first();
    await row.waitFor({ timeout: 5_000 });
    const id = await row.getAttribute('data-task-id');
    await page.locator(`tr[data-task-id="${id}"][data-state="COMPLETED"]`).waitFor({ timeout: 10_000 });

    expect(sent.length).toBeGreaterThan(0);
    for (const body of sent) {
      expect(body.query).toBeUndefined();
      expect(body.extensions?.persistedQuery?.sha256Hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    }
    expectCleanSession(session);
  });
});

describe('the dashboard in Chromium where the API serves no ids (TRUSTED_DOCUMENTS=off)', () => {
  const setup = useDashboardWith('off');

  it('sends the text instead, and works as ever', async () => {
    const { stack, api, session } = setup;
    const { page } = session;
    await stack.startWorker();
    await page.goto(api.url);
    await page.locator('[data-connection="connected"]').waitFor({ timeout: 10_000 });
    const form = page.getByRole('form', { name: 'Calculation task' });
    await form.getByLabel('Numbers (1 to 100 integers)').fill('1, 2, 3');
    await form.getByRole('button', { name: 'Start calculation task' }).click();
    await page.locator('tr[data-task-id][data-state="COMPLETED"]').first().waitFor({ timeout: 10_000 });
    await expect(page.locator('tr[data-task-id]').first().textContent()).resolves.toContain('6');
    expectCleanSession(session);
  });
});
