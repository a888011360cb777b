// The Filters view against the real browser host: LeNet-5's conv1 kernels as 6 gray tiles, the
// weight histogram and per-filter norms; conv2 as the input-channel slices of one filter;
// ResNet-18's conv1 as 64 colour tiles.
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './host-process.ts';
import { imageStdev, lenetName, openZoo, sharedPage } from './view-helpers.ts';

const OUT = join(ROOT, 'tests', 'output');
interface Tile { channel: number; x: number; y: number; w: number; h: number }
const tiles = (page: Page) => page.evaluate(() => (window as unknown as { __receptiveFilters?: { tiles(): Tile[] } }).__receptiveFilters?.tiles() ?? []);

/** Pixel spread inside one tile on screen: a kernel with varied weights is not flat. */
async function tileStdev(page: Page, path: string, t: Tile): Promise<number> {
  await page.screenshot({ path, clip: { x: t.x, y: t.y, width: t.w, height: t.h } });
  return imageStdev(path);
}

test.describe('filters view', () => {
  test.describe.configure({ mode: 'serial' });
  let page: Page;
  let errors: string[] = [];
  test.beforeAll(async ({ browser }) => { ({ page, errors } = await sharedPage(browser)); });
  test.afterAll(async () => { await page.close(); });
  test.afterEach(() => { expect(errors.splice(0), 'no page errors or CSP violations').toEqual([]); });

  test('lenet5: conv1 kernels, histogram, norms; conv2 slices', async () => {
    await openZoo(page, await lenetName(page));
    await page.getByRole('tab', { name: 'Filters' }).click();

    const grid = page.getByTestId('filter-grid');
    await expect(grid).toHaveAttribute('data-tile-count', '6', { timeout: 60_000 });
    await expect(page.getByTestId('filter-layer-name')).toHaveText('features.0');
    await expect(page.getByTestId('filter-dims')).toHaveText('6 × 1 × 5 × 5');
    // 6 filters × 25 weights, all counted in the histogram; one norm per filter.
    await expect(page.getByTestId('weight-histogram')).toHaveAttribute('data-total', '150');
    await expect(page.getByTestId('norm-bars')).toHaveAttribute('data-count', '6');
    const t = await tiles(page);
    expect(t).toHaveLength(6);
    // 5×5 kernels scaled up by a whole factor (nearest) to be visible.
    for (const b of t) { expect(b.w).toBe(b.h); expect(b.w % 5).toBe(0); expect(b.w).toBeGreaterThanOrEqual(60); }
    mkdirSync(OUT, { recursive: true });
    expect(await tileStdev(page, join(OUT, 'filters-lenet5-tile0.png'), t[0]!)).toBeGreaterThan(10);

    const shot = join(OUT, 'filters-lenet5-conv1.png');
    await page.screenshot({ path: shot });
    expect(await imageStdev(shot), 'screenshot is not blank').toBeGreaterThan(12);

    // conv2: 16 filters over 6 channels → one filter's 6 input slices at a time.
    await page.locator('[data-testid="filter-layer"][data-layer="features.3"]').click();
    await expect(page.getByTestId('filter-dims')).toHaveText('16 × 6 × 5 × 5');
    await expect(grid).toHaveAttribute('data-tile-count', '6');
    await expect(page.getByTestId('weight-histogram')).toHaveAttribute('data-total', String(16 * 6 * 25));
    await expect(page.getByTestId('norm-bars')).toHaveAttribute('data-count', '16');
    await page.getByTestId('filter-out-channel').fill('5');
    await expect(page.getByTestId('filter-out-channel')).toHaveValue('5');
    await expect(grid).toHaveAttribute('data-tile-count', '6');
    const shot2 = join(OUT, 'filters-lenet5-conv2.png');
    await page.screenshot({ path: shot2 });
    expect(await imageStdev(shot2)).toBeGreaterThan(12);
    expect(await page.locator('style').count()).toBe(0);
  });

  test('resnet18: conv1 as 64 colour kernels', async () => {
    test.setTimeout(180_000);
    await openZoo(page, 'resnet18');
    await page.getByRole('tab', { name: 'Filters' }).click();
    await expect(page.getByTestId('filter-grid')).toHaveAttribute('data-tile-count', '64', { timeout: 60_000 });
    await expect(page.getByTestId('filter-dims')).toHaveText('64 × 3 × 7 × 7');
    await expect(page.getByTestId('weight-histogram')).toHaveAttribute('data-total', String(64 * 3 * 49));
    const shot = join(OUT, 'filters-resnet18-conv1.png');
    await page.screenshot({ path: shot });
    expect(await imageStdev(shot)).toBeGreaterThan(12);
    // A deep layer: 512 norms drawn as columns.
    await page.locator('[data-testid="filter-layer"][data-layer="layer4.1.conv2"]').click();
    await expect(page.getByTestId('norm-bars')).toHaveAttribute('data-count', '512', { timeout: 60_000 });
    await expect(page.getByTestId('filter-grid')).toHaveAttribute('data-tile-count', '512');
    await page.screenshot({ path: join(OUT, 'filters-resnet18-layer4.png') });
  });
});
