// The Embeddings view against the real browser host: 2,000 MNIST test digits through the trained
// LeNet-5 (penultimate layer, PCA), the cloud drawn with WebGL (SwiftShader), a hovered point's
// thumbnail, selection with neighbours, and the frame time of a synthetic 200,000-point cloud.
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { ROOT } from './host-process.ts';
import { appUrl, imageStdev, lenetName, openZoo, watchErrors } from './view-helpers.ts';

const OUT = join(ROOT, 'tests', 'output');
interface Hook {
  phase: string; n: number; hovered: number;
  screenPosition(i: number): { x: number; y: number } | null;
  pick(x: number, y: number): number;
  loadSynthetic(n: number, dims: 2 | 3): void;
  measureFrames(count: number): Promise<{ frames: number; meanMs: number; p95Ms: number; maxMs: number; rafMeanMs: number }>;
}
const pos = (page: Page, i: number) => page.evaluate((k) => (window as unknown as { __receptiveEmbeddings: Hook }).__receptiveEmbeddings.screenPosition(k), i);

/** Fraction of canvas pixels that differ from the background colour (#0d1117). */
async function litFraction(page: Page, path: string): Promise<number> {
  const box = (await page.getByTestId('embed-canvas').boundingBox())!;
  await page.screenshot({ path, clip: box });
  const { data, info } = await sharp(path).raw().toBuffer({ resolveWithObject: true });
  let lit = 0;
  for (let i = 0; i < info.width * info.height; i++) {
    const o = i * info.channels;
    if (Math.abs(data[o]! - 0x0d) + Math.abs(data[o + 1]! - 0x11) + Math.abs(data[o + 2]! - 0x17) > 30) lit++;
  }
  return lit / (info.width * info.height);
}

test.describe('embeddings view', () => {
  let errors: string[] = [];
  test.beforeEach(async ({ page }) => {
    errors = watchErrors(page);
    await page.goto(appUrl());
    await expect(page.getByTestId('graph-canvas')).toHaveAttribute('data-phase', 'ready', { timeout: 90_000 });
  });
  test.afterEach(() => { expect(errors.filter((e) => !/GPU stall|GL_CLOSE_PATH|WebGL.*performance/i.test(e)), 'no page errors or CSP violations').toEqual([]); });

  test('lenet5-mnist: 2,000 MNIST digits by PCA, hover thumbnail, selection with neighbours', async ({ page }) => {
    await openZoo(page, await lenetName(page));
    await page.getByRole('tab', { name: 'Embeddings' }).click();
    await page.getByTestId('embed-limit').fill('2000');
    await page.getByTestId('embed-method').selectOption('pca');
    await page.getByTestId('embed-run').click();
    const canvas = page.getByTestId('embed-canvas');
    await expect(canvas).toHaveAttribute('data-phase', 'ready', { timeout: 90_000 });
    await expect(canvas).toHaveAttribute('data-n', '2000');
    await expect(page.getByTestId('embed-n')).toHaveText('2,000');
    const knn = Number(await page.getByTestId('embed-knn').textContent());
    expect(knn).toBeGreaterThan(0.6);
    mkdirSync(OUT, { recursive: true });
    await page.waitForTimeout(300);
    expect(await litFraction(page, join(OUT, 'embeddings-canvas.png')), 'the cloud is drawn').toBeGreaterThan(0.005);

    // Hover a point found through the hook: its thumbnail and label appear.
    let target = -1, p: { x: number; y: number } | null = null;
    for (const i of [0, 1, 2, 3, 4, 5, 10, 20]) {
      p = await pos(page, i);
      const box = (await canvas.boundingBox())!;
      if (p && p.x > box.x + 10 && p.x < box.x + box.width - 10 && p.y > box.y + 10 && p.y < box.y + box.height - 10) { target = i; break; }
    }
    expect(target).toBeGreaterThanOrEqual(0);
    await page.mouse.move(p!.x, p!.y);
    const tip = page.getByTestId('embed-tooltip');
    await expect(tip).toBeVisible();
    await expect(tip.getByTestId('embed-thumb')).toBeVisible({ timeout: 15_000 });
    const hovered = Number(await tip.getAttribute('data-index'));
    expect(hovered).toBeGreaterThanOrEqual(0);
    // The hovered point is the one under the cursor (or one drawn within a few pixels of it).
    const hp = (await pos(page, hovered))!;
    expect(Math.hypot(hp.x - p!.x, hp.y - p!.y)).toBeLessThan(9);
    await page.screenshot({ path: join(OUT, 'embeddings-hover.png') });

    // Click selects; ten neighbours in feature space are listed.
    await page.mouse.click(hp.x, hp.y);
    await expect(page.getByTestId('embed-selected')).toHaveAttribute('data-index', String(hovered));
    await expect(page.getByTestId('embed-neighbours').locator('li')).toHaveCount(10, { timeout: 15_000 });
    await page.getByTestId('embed-search').selectOption('3');
    await page.getByTestId('embed-colour').selectOption('correct');
    const shot = join(OUT, 'embeddings-mnist-pca.png');
    await page.screenshot({ path: shot });
    expect(await imageStdev(shot), 'screenshot is not blank').toBeGreaterThan(12);
  });

  test('t-SNE updates the cloud live; Stop keeps the current layout', async ({ page }) => {
    await openZoo(page, await lenetName(page));
    await page.getByRole('tab', { name: 'Embeddings' }).click();
    await page.getByTestId('embed-limit').fill('400');
    await page.getByTestId('embed-method').selectOption('tsne');
    // Long enough that Stop lands mid-run even on an idle machine.
    await page.getByTestId('embed-iterations').fill('5000');
    await page.getByTestId('embed-run').click();
    const updates = () => page.evaluate(() => (window as unknown as { __receptiveEmbeddings: { layoutUpdates: number } }).__receptiveEmbeddings.layoutUpdates);
    await expect.poll(updates, { timeout: 90_000 }).toBeGreaterThanOrEqual(2);
    await expect(page.getByTestId('embed-progress')).toContainText('tsne');
    await page.getByTestId('embed-stop').click();
    const canvas = page.getByTestId('embed-canvas');
    await expect(canvas).toHaveAttribute('data-phase', 'ready', { timeout: 60_000 });
    await expect(canvas).toHaveAttribute('data-n', '400');
    await expect(page.getByTestId('embed-quality')).toContainText('(stopped)');
    mkdirSync(OUT, { recursive: true });
    expect(await litFraction(page, join(OUT, 'embeddings-tsne-stopped.png'))).toBeGreaterThan(0.002);
  });

  test('200,000 synthetic points: frame time (SwiftShader)', async ({ page }) => {
    await openZoo(page, await lenetName(page));
    await page.getByRole('tab', { name: 'Embeddings' }).click();
    await expect(page.getByTestId('embed-canvas')).toBeVisible();
    const stats: Record<string, unknown> = {};
    for (const dims of [2, 3] as const) {
      const t0 = Date.now();
      await page.evaluate((d) => (window as unknown as { __receptiveEmbeddings: Hook }).__receptiveEmbeddings.loadSynthetic(200_000, d), dims);
      const r = await page.evaluate(() => (window as unknown as { __receptiveEmbeddings: Hook }).__receptiveEmbeddings.measureFrames(30));
      stats[`${dims}d`] = { ...r, loadMs: Date.now() - t0 };
      expect(r.meanMs).toBeLessThan(1000);
      // Hover stays responsive: picking through the grid index.
      const p = (await pos(page, 7))!;
      // The grid index finds point 7 (or one drawn on top of it) under its own screen position.
      const picked = await page.evaluate(([x, y]) => (window as unknown as { __receptiveEmbeddings: Hook }).__receptiveEmbeddings.pick(x!, y!), [p.x, p.y]);
      expect(picked).toBeGreaterThanOrEqual(0);
      const tPick = Date.now();
      await page.mouse.move(p.x, p.y);
      await expect.poll(() => page.evaluate(() => (window as unknown as { __receptiveEmbeddings: Hook }).__receptiveEmbeddings.hovered)).toBeGreaterThanOrEqual(0);
      stats[`${dims}d`] = { ...(stats[`${dims}d`] as object), hoverMs: Date.now() - tPick };
      const shot = join(OUT, `embeddings-200k-${dims}d.png`);
      await page.screenshot({ path: shot });
      expect(await imageStdev(shot)).toBeGreaterThan(12);
    }
    mkdirSync(OUT, { recursive: true });
    writeFileSync(join(OUT, 'embeddings-bench.json'), `${JSON.stringify(stats, null, 2)}\n`);
    console.log('200k cloud frame times', JSON.stringify(stats));
  });
});
