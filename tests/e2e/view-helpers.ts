// Shared by the e2e specs: the app URL, a fresh app per test, opening a zoo model, screenshot checks.
import { expect, test, type Browser, type Page } from '@playwright/test';
import sharp from 'sharp';
import { buildZooModel } from '../../core/zoo/index.ts';

export function appUrl(): string {
  const url = process.env.RECEPTIVE_URL;
  if (!url) throw new Error('RECEPTIVE_URL is unset: run through `npx playwright test` so global-setup starts the host');
  return url;
}

/** Collects page errors and console errors (CSP violations are console errors). */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  return errors;
}

/**
 * In a describe block: each test starts on a freshly loaded app with its default model drawn, and
 * ends with no page errors or CSP violations (messages matching `ignore` aside).
 */
export function freshAppEachTest(ignore?: RegExp): void {
  let errors: string[] = [];
  test.beforeEach(async ({ page }) => {
    errors = watchErrors(page);
    await page.goto(appUrl());
    await expect(page.getByTestId('graph-canvas')).toHaveAttribute('data-phase', 'ready', { timeout: 90_000 });
  });
  test.afterEach(() => { expect(errors.filter((e) => !ignore?.test(e)), 'no page errors or CSP violations').toEqual([]); });
}

/** Open a zoo model from the header picker (on the Graph tab) and wait until the graph has drawn it. */
export async function openZoo(page: Page, name: string): Promise<void> {
  const layers = buildZooModel(name).graph!.node.length;
  await page.getByRole('tab', { name: 'Graph' }).click();
  await page.getByTestId('zoo-picker').selectOption(name);
  const canvas = page.getByTestId('graph-canvas');
  await expect(canvas).toHaveAttribute('data-layer-count', String(layers), { timeout: 90_000 });
  await expect(canvas).toHaveAttribute('data-phase', 'ready', { timeout: 90_000 });
}

/** The trained LeNet-5 when the zoo lists it, else the untrained one. */
export async function lenetName(page: Page): Promise<string> {
  const values = await page.getByTestId('zoo-picker').locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
  return values.includes('lenet5-mnist') ? 'lenet5-mnist' : 'lenet5';
}

/** Mean standard deviation of the RGB channels: a blank or single-colour image is near 0. */
export async function imageStdev(path: string): Promise<number> {
  const stats = await sharp(path).stats();
  return stats.channels.slice(0, 3).reduce((s, c) => s + c.stdev, 0) / 3;
}

/**
 * One page for a whole spec file. The browser host keeps a connection's models open after its
 * socket closes (up to 8 per host), so a fresh page per test would leak one model each; within
 * one page the app closes the previous model whenever it opens the next.
 */
export async function sharedPage(browser: Browser): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  const errors = watchErrors(page);
  await page.goto(appUrl());
  await expect(page.getByTestId('graph-canvas')).toHaveAttribute('data-phase', 'ready', { timeout: 90_000 });
  return { page, errors };
}
