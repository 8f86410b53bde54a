import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { projectDir } from './stack.js';

/** Where the browser tests keep their screenshots (git-ignored). */
export const screenshotDir = join(projectDir, 'test-results');

export interface BrowserSession {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** console.error calls and uncaught exceptions, from the pages and their workers. */
  errors: string[];
  /** Every request that would leave this machine: the pages must work offline. */
  outsideRequests: string[];
  close(): Promise<void>;
}

const localHosts = new Set(['127.0.0.1', 'localhost', '[::1]']);

function leavesMachine(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  if (protocol === 'data:' || protocol === 'blob:') return false;
  return !localHosts.has(hostname);
}

/** The system's Chromium (never a downloaded one), recording what the tests assert on at the end. */
export async function openBrowser(): Promise<BrowserSession> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  const outsideRequests: string[] = [];
  context.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  context.on('weberror', (error) => errors.push(`page error: ${error.error().message}`));
  context.on('request', (request) => {
    if (leavesMachine(request.url())) outsideRequests.push(request.url());
  });
  // WebSockets are not requests to Playwright; an outside one would be just as bad.
  context.on('page', (page) =>
    page.on('websocket', (socket) => {
      if (leavesMachine(socket.url())) outsideRequests.push(socket.url());
    }),
  );
  const page = await context.newPage();
  return {
    browser,
    context,
    page,
    errors,
    outsideRequests,
    async close() {
      await page.close();
      await context.close();
      await browser.close();
    },
  };
}

/** How every browser test ends: nothing went wrong in the page, and nothing left the machine. */
export function expectCleanSession(session: BrowserSession) {
  expect(session.errors).toEqual([]);
  expect(session.outsideRequests).toEqual([]);
}
