// Issue #6 §3: a point clicked in the embedding cloud opens its image in Activations and Heatmaps.
// lenet5-mnist, 500 MNIST test digits by PCA; the clicked digit must be the one the Activations
// input panel shows (pixel for pixel) with the cloud's prediction, and Heatmaps explains it.
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './host-process.ts';
import { imageStdev, lenetName, openZoo, sharedPage } from './view-helpers.ts';
import { loadMnist } from '../../core/data/idx.ts';

const OUT = join(ROOT, 'tests', 'output');
interface Hook { screenPosition(i: number): { x: number; y: number } | null }
const pos = (page: Page, i: number) => page.evaluate((k) => (window as unknown as { __receptiveEmbeddings: Hook }).__receptiveEmbeddings.screenPosition(k), i);

/** The input preview canvas read back at the centre of each model pixel (it is drawn scaled by whole pixels). */
async function previewPixels(page: Page, side: number): Promise<number[]> {
  return page.getByTestId('input-preview').evaluate((c, n) => {
    const canvas = c as HTMLCanvasElement, s = canvas.width / n;
    const d = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    const out: number[] = [];
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) out.push(d[(Math.floor(y * s + s / 2) * canvas.width + Math.floor(x * s + s / 2)) * 4]!);
    return out;
  }, side);
}

test('a clicked embedding point opens in Activations (same digit, same prediction) and in Heatmaps', async ({ browser }) => {
  test.setTimeout(240_000);
  const { page, errors } = await sharedPage(browser);
  mkdirSync(OUT, { recursive: true });
  await openZoo(page, await lenetName(page));
  await page.getByRole('tab', { name: 'Embeddings' }).click();
  await page.getByTestId('embed-limit').fill('500');
  await page.getByTestId('embed-method').selectOption('pca');
  await page.getByTestId('embed-run').click();
  const canvas = page.getByTestId('embed-canvas');
  await expect(canvas).toHaveAttribute('data-phase', 'ready', { timeout: 90_000 });
  await expect(canvas).toHaveAttribute('data-n', '500');

  // Click a point well inside the canvas; the selection panel says which point it picked.
  const box = (await canvas.boundingBox())!;
  let p: { x: number; y: number } | null = null;
  for (const i of [17, 3, 42, 99, 250, 0, 1, 2]) {
    const q = await pos(page, i);
    if (q && q.x > box.x + 20 && q.x < box.x + box.width - 20 && q.y > box.y + 20 && q.y < box.y + box.height - 20) { p = q; break; }
  }
  expect(p, 'a point on screen').not.toBeNull();
  await page.mouse.click(p!.x, p!.y);
  const selected = page.getByTestId('embed-selected');
  await expect(selected).toBeVisible();
  const index = Number(await selected.getAttribute('data-index'));
  expect(index).toBeGreaterThanOrEqual(0);
  const m = /label (\S+) · predicted (\S+)/.exec((await selected.textContent()) ?? '');
  expect(m, 'label and prediction in the selection panel').not.toBeNull();
  const [, shownLabel, predicted] = m!;
  const mnist = loadMnist('test');
  expect(shownLabel).toBe(String(mnist.labels[index]));
  await page.screenshot({ path: join(OUT, 'embed-open-selected.png') });

  // Open in Activations: the panel shows where it came from, the digit itself and the same prediction.
  await page.getByTestId('embed-open-activations').click();
  await expect(page.getByRole('tablist', { name: 'Views' }).getByRole('tab', { name: 'Activations' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('input-origin')).toHaveText(`from embedding: mnist-test #${index}, label ${shownLabel}`, { timeout: 30_000 });
  await expect(page.getByTestId('input-label')).toHaveText(`label ${shownLabel}`);
  await expect(page.getByTestId('prediction').first()).toHaveAttribute('data-index', predicted!);
  await expect.poll(() => previewPixels(page, 28), { timeout: 15_000 }).toEqual(Array.from(mnist.images.subarray(index * 784, (index + 1) * 784)));
  // The sample picker follows (the point is an mnist-test row), so stepping goes on from it.
  await expect(page.getByTestId('sample-index')).toHaveValue(String(index));
  await expect(page.getByTestId('activation-grid')).not.toHaveAttribute('data-tile-count', '0', { timeout: 30_000 });
  const actShot = join(OUT, 'embed-open-activations.png');
  await page.screenshot({ path: actShot });
  expect(await imageStdev(actShot)).toBeGreaterThan(12);

  // Heatmaps tab: the same request applies there once, and the map is computed for that image.
  await page.getByRole('tab', { name: 'Heatmaps' }).click();
  await expect(page.getByTestId('heat-input-name')).toHaveText(`mnist-test #${index}`, { timeout: 30_000 });
  await expect(page.getByTestId('heat-input-origin')).toHaveText(`from embedding: mnist-test #${index}, label ${shownLabel}`);
  await expect(page.getByTestId('heat-sample-index')).toHaveValue(String(index));
  await expect(page.getByTestId('heatmap-card').first()).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('explain-summary')).toContainText(`mnist-test #${index}: predicted ${predicted}`);
  const heatShot = join(OUT, 'embed-open-heatmaps.png');
  await page.screenshot({ path: heatShot });
  expect(await imageStdev(heatShot)).toBeGreaterThan(12);

  // A request is applied once: after choosing another sample in Activations, coming back through the
  // tabs keeps the user's choice.
  await page.getByRole('tab', { name: 'Activations' }).click();
  await page.getByRole('button', { name: 'Next sample' }).click();
  await expect(page.getByTestId('input-origin')).toHaveCount(0, { timeout: 30_000 });
  const chosen = `mnist-test:${index + 1}`;
  await expect(page.locator('[data-testid="input-panel"] .name')).toHaveText(chosen);
  await page.getByRole('tab', { name: 'Heatmaps' }).click();
  await expect(page.getByTestId('heat-input-name')).toHaveText(`mnist-test #${index}`);
  await page.getByRole('tab', { name: 'Activations' }).click();
  await expect(page.locator('[data-testid="input-panel"] .name')).toHaveText(chosen!);
  await expect(page.getByTestId('input-origin')).toHaveCount(0);

  // Open in Heatmaps from the cloud goes straight to the Heatmaps tab with a second point.
  await page.getByRole('tab', { name: 'Embeddings' }).click();
  await expect(selected).toHaveAttribute('data-index', String(index));
  await page.getByTestId('embed-open-heatmaps').click();
  await expect(page.getByRole('tablist', { name: 'Views' }).getByRole('tab', { name: 'Heatmaps' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('heat-input-origin')).toHaveText(`from embedding: mnist-test #${index}, label ${shownLabel}`);
  await expect(page.getByTestId('heatmap-card').first()).toBeVisible({ timeout: 60_000 });

  expect(errors.filter((e) => !/GPU stall|GL_CLOSE_PATH|WebGL.*performance/i.test(e)), 'no page errors or CSP violations').toEqual([]);
  await page.close();
});
