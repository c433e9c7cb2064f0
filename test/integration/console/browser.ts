import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { onTestFinished } from 'vitest';

/**
 * Debian's Chromium (bin/setup installs it: `bin/ferry services install --browser`) driven by
 * playwright-core. Waits are locator waits on what the page shows, with generous deadlines:
 * the machine is shared by many test runs.
 */
export const CHROMIUM = '/usr/bin/chromium';
export const UI_WAIT_MS = 120_000;
export const SCREENSHOTS_DIR = resolve(import.meta.dirname, '..', '..', '..', 'docs', 'console');

export async function launchBrowser(): Promise<Browser> {
  // --no-sandbox: the tests run as root, where Chromium's sandbox refuses to start.
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'], timeout: UI_WAIT_MS });
  onTestFinished(() => browser.close());
  return browser;
}

/** A fresh tab (its own sessionStorage) at 1280x800, the size of the README's screenshots. */
export async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.setDefaultTimeout(UI_WAIT_MS);
  page.setDefaultNavigationTimeout(UI_WAIT_MS);
  return page;
}

/** docs/console/<name>.png of what the page shows now. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  await page.screenshot({ path: resolve(SCREENSHOTS_DIR, `${name}.png`), animations: 'disabled', caret: 'hide' });
}

export async function signIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
