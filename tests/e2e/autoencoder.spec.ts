// The Autoencoder view against the real browser host with the trained MNIST autoencoder: the split
// and compression ratio, one image's reconstruction and error map, 1,000 mixed images scored
// (500 MNIST test normal + 500 Fashion test anomalous), histogram/ROC drawn, AUROC ≥ 0.95, and
// dragging the threshold moving the confusion counts while each class's total stays fixed.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './host-process.ts';
import { imageStdev, openZoo, freshAppEachTest } from './view-helpers.ts';

const OUT = join(ROOT, 'tests', 'output');
interface Counts { tp: number; fp: number; tn: number; fn: number }

async function counts(table: Locator): Promise<Counts> {
  const n = async (k: string) => Number(await table.getAttribute(`data-${k}`));
  return { tp: await n('tp'), fp: await n('fp'), tn: await n('tn'), fn: await n('fn') };
}

/** Pixel spread of an element's screenshot: a chart with axes and filled series is far from flat. */
async function shotStdev(el: Locator, name: string): Promise<number> {
  const path = join(OUT, name);
  await el.screenshot({ path });
  return imageStdev(path);
}

async function dragTo(page: Page, over: Locator, fx: number): Promise<void> {
  const b = (await over.boundingBox())!;
  const y = b.y + b.height / 2;
  await page.mouse.move(b.x + b.width * 0.5, y);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width * fx, y, { steps: 5 });
  await page.mouse.up();
}

test.describe('autoencoder view', () => {
  freshAppEachTest();

  test('autoencoder-mnist: split, one image, 1,000 mixed images scored, threshold drag', async ({ page }) => {
    test.setTimeout(240_000);
    mkdirSync(OUT, { recursive: true });
    await openZoo(page, 'autoencoder-mnist');
    await page.getByRole('tab', { name: 'Autoencoder' }).click();

    // The split: a bottleneck found, compression well above 1 (784 pixels into a small code).
    const modelPanel = page.getByTestId('ae-model');
    await expect(modelPanel).toHaveAttribute('data-bottleneck', /.+/, { timeout: 60_000 });
    const ratio = Number(await modelPanel.getAttribute('data-ratio'));
    expect(ratio).toBeGreaterThan(4);

    // One image: input, reconstruction and error map drawn (28×28 scaled to 168).
    for (const id of ['ae-input-canvas', 'ae-recon-canvas', 'ae-error-canvas']) {
      await expect(page.getByTestId(id)).toHaveAttribute('width', '168', { timeout: 60_000 });
    }
    expect(await shotStdev(page.getByTestId('ae-recon'), 'autoencoder-image-row.png')).toBeGreaterThan(10);
    // A Fashion image reconstructs worse than an MNIST digit (the point of the anomaly score).
    const scoreOf = async () => Number(await page.getByTestId('ae-image-score').getAttribute('data-score'));
    const mnistScore = await scoreOf();
    await page.getByTestId('ae-image-dataset').selectOption('fashion-test');
    await expect.poll(scoreOf, { timeout: 30_000 }).not.toBe(mnistScore);
    expect(await scoreOf()).toBeGreaterThan(mnistScore);
    await expect(page.getByTestId('ae-denoise')).toBeVisible();
    // An image file instead of a dataset sample: a digit PNG reconstructs well (low score).
    const fashionScore = await scoreOf();
    await page.getByTestId('ae-image-file').setInputFiles(join(ROOT, 'resources', 'samples', 'mnist-3.png'));
    await expect.poll(scoreOf, { timeout: 30_000 }).not.toBe(fashionScore);
    expect(await scoreOf()).toBeLessThan(fashionScore);
    await page.getByRole('button', { name: 'Use the sample' }).click();
    await expect.poll(scoreOf, { timeout: 30_000 }).toBe(fashionScore);
    // The error over the input: pixels that differ from the plain input shrink as the threshold
    // rises, and at opacity 0 the overlay is the input.
    const differing = () => page.evaluate(() => {
      const px = (id: string) => { const c = document.querySelector(`[data-testid="${id}"]`) as HTMLCanvasElement; return c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data; };
      const a = px('ae-input-canvas'), b = px('ae-overlay-canvas');
      let n = 0;
      for (let i = 0; i < a.length; i += 4) if (Math.abs(a[i]! - b[i]!) + Math.abs(a[i + 1]! - b[i + 1]!) + Math.abs(a[i + 2]! - b[i + 2]!) > 6) n++;
      return n;
    });
    const full = await differing();
    expect(full).toBeGreaterThan(500);
    await page.getByTestId('ae-overlay-threshold').fill('0.5');
    await expect.poll(differing).toBeLessThan(full * 0.6);
    await page.getByTestId('ae-overlay-threshold').fill('0');
    await page.getByTestId('ae-overlay-opacity').fill('0');
    await expect.poll(differing).toBe(0);
    await page.getByTestId('ae-overlay-opacity').fill('0.85');
    const imageShot = join(OUT, 'autoencoder-image.png');
    await page.screenshot({ path: imageShot });
    expect(await imageStdev(imageShot), 'screenshot is not blank').toBeGreaterThan(12);

    // The set: 500 MNIST + 500 Fashion.
    await page.getByTestId('ae-section-set').click();
    await page.getByTestId('ae-score-run').click();
    const summary = page.getByTestId('ae-score-summary');
    await expect(summary).toHaveAttribute('data-count', '1000', { timeout: 180_000 });
    const auroc = Number(await page.getByTestId('ae-auroc').getAttribute('data-auroc'));
    expect(auroc).toBeGreaterThanOrEqual(0.95);
    await expect(page.getByTestId('ae-auroc')).toHaveText(/AUROC 0\.9\d{3}|AUROC 1\.0000/);

    const hist = page.getByTestId('ae-histogram');
    const roc = page.getByTestId('ae-roc');
    expect(await shotStdev(hist.locator('canvas'), 'autoencoder-histogram.png')).toBeGreaterThan(8);
    expect(await shotStdev(roc.locator('canvas'), 'autoencoder-roc.png')).toBeGreaterThan(8);
    expect(await shotStdev(page.getByTestId('ae-pr').locator('canvas'), 'autoencoder-pr.png')).toBeGreaterThan(8);
    await expect(page.getByTestId('ae-worst')).toHaveAttribute('data-count', '12');

    // Confusion at the threshold: each class's total is fixed; dragging moves items between cells.
    const table = page.getByTestId('ae-confusion');
    const c0 = await counts(table);
    expect(c0.tp + c0.fn).toBe(500);
    expect(c0.fp + c0.tn).toBe(500);
    const over = hist.locator('.u-over');
    await dragTo(page, over, 0.05);
    await expect.poll(async () => (await counts(table)).fp, { timeout: 10_000 }).toBeGreaterThan(c0.fp);
    const low = await counts(table);
    await dragTo(page, over, 0.9);
    await expect.poll(async () => (await counts(table)).tp, { timeout: 10_000 }).toBeLessThan(low.tp);
    const high = await counts(table);
    for (const c of [low, high]) { expect(c.tp + c.fn).toBe(500); expect(c.fp + c.tn).toBe(500); }
    // A higher threshold flags fewer images of either class.
    expect(high.tp).toBeLessThanOrEqual(low.tp);
    expect(high.fp).toBeLessThanOrEqual(low.fp);
    const t1 = await page.getByTestId('ae-threshold').textContent();

    // Threshold from a target FPR of 5% on the normals: at most 25 of 500 normals flagged.
    await page.getByTestId('ae-target-fpr').fill('0.05');
    await page.getByTestId('ae-apply-fpr').click();
    await expect(page.getByTestId('ae-threshold')).not.toHaveText(t1 ?? '');
    const atFpr = await counts(table);
    expect(atFpr.fp).toBeLessThanOrEqual(25);
    // The renderer's threshold for 5% FPR lands where the host's did (the first counts shown).
    expect(atFpr).toEqual(c0);
    expect(atFpr.tp).toBeGreaterThan(400);

    // A bigger set, cancelled part way: progress shows, then a note; the scored result stays.
    await page.getByTestId('ae-set').selectOption('fashion');
    await page.getByTestId('ae-score-run').click();
    await expect(page.getByTestId('ae-score-progress')).toContainText(/scor/, { timeout: 30_000 });
    await page.getByTestId('ae-score-cancel').click();
    await expect(page.getByTestId('ae-score-cancelled')).toBeVisible({ timeout: 30_000 });
    await expect(summary).toHaveAttribute('data-count', '1000');
    await page.getByTestId('ae-set').selectOption('mixed');

    const setShot = join(OUT, 'autoencoder-set.png');
    await page.screenshot({ path: setShot, fullPage: true });
    expect(await imageStdev(setShot), 'screenshot is not blank').toBeGreaterThan(12);

    // The latent space: an interpolation strip and a decoder walk.
    await page.getByTestId('ae-section-latent').click();
    await expect(page.getByTestId('ae-interp')).toHaveAttribute('data-steps', '10', { timeout: 30_000 });
    await expect(page.getByTestId('ae-walk')).toHaveAttribute('data-steps', '11', { timeout: 30_000 });
    const latentShot = join(OUT, 'autoencoder-latent.png');
    await page.screenshot({ path: latentShot });
    expect(await imageStdev(latentShot)).toBeGreaterThan(12);
    expect(await page.locator('style').count()).toBe(0);
  });
});

test.describe('autoencoder view: PCA, training, fine-tuning, graph link', () => {
  freshAppEachTest();

  test('AE beats PCA with as many components; a short training run; bottleneck shown in the graph', async ({ page }) => {
    test.setTimeout(240_000);
    mkdirSync(OUT, { recursive: true });
    await openZoo(page, 'autoencoder-mnist');
    await page.getByRole('tab', { name: 'Autoencoder' }).click();
    await expect(page.getByTestId('ae-model')).toHaveAttribute('data-bottleneck', /.+/, { timeout: 60_000 });

    await page.getByTestId('ae-section-pca').click();
    await page.getByTestId('ae-pca-run').click();
    const summary = page.getByTestId('ae-pca-summary');
    await expect(summary).toBeVisible({ timeout: 120_000 });
    const ae = Number(await summary.getAttribute('data-ae'));
    const pca = Number(await summary.getAttribute('data-pca'));
    expect(ae).toBeGreaterThan(0);
    expect(pca).toBeGreaterThan(0);
    // A trained conv AE with a 16-value code reconstructs MNIST better than 16-component PCA.
    expect(ae).toBeLessThan(pca);
    const pcaShot = join(OUT, 'autoencoder-pca.png');
    await page.screenshot({ path: pcaShot });
    expect(await imageStdev(pcaShot)).toBeGreaterThan(12);

    await page.getByTestId('ae-section-train').click();
    await page.getByTestId('ae-train-epochs').fill('1');
    await page.getByTestId('ae-train-steps').fill('5');
    await page.getByTestId('ae-train-run').click();
    const trained = page.getByTestId('ae-train-result');
    await expect(trained).toHaveAttribute('data-steps', '5', { timeout: 120_000 });
    expect(Number(await trained.getAttribute('data-bytes'))).toBeGreaterThan(1000);
    await expect(page.getByTestId('ae-train-save')).toHaveAttribute('download', /\.onnx$/);
    await page.screenshot({ path: join(OUT, 'autoencoder-train.png') });
    // Open the freshly trained model: the view comes back for it, with its own 16-value code.
    await page.getByTestId('ae-train-open').click();
    await expect(page.getByTestId('ae-model')).toHaveAttribute('data-ratio', '49', { timeout: 60_000 });
    // The header's model picker names the opened file (a closed <select>'s option counts as hidden, so read its text).
    await expect(page.getByTestId('zoo-picker').locator('option:checked')).toHaveText('autoencoder-mnist-z16-d2.onnx');

    // Another bottleneck tensor: a wider one compresses less.
    const ratio16 = Number(await page.getByTestId('ae-model').getAttribute('data-ratio'));
    const options = await page.getByTestId('ae-bottleneck-pick').locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    const current = await page.getByTestId('ae-model').getAttribute('data-bottleneck');
    const other = options.find((o) => o !== current);
    if (other) {
      await page.getByTestId('ae-bottleneck-pick').selectOption(other);
      await expect(page.getByTestId('ae-model')).toHaveAttribute('data-bottleneck', other, { timeout: 30_000 });
      expect(Number(await page.getByTestId('ae-model').getAttribute('data-ratio'))).toBeLessThan(ratio16);
      await page.getByTestId('ae-bottleneck-pick').selectOption(current!);
      await expect(page.getByTestId('ae-model')).toHaveAttribute('data-bottleneck', current!, { timeout: 30_000 });
    }

    // "Show in graph" selects the layer producing the bottleneck: its details show the 16-value code.
    await page.getByTestId('ae-show-in-graph').click();
    await expect(page.getByRole('tab', { name: 'Graph' })).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByText('N × 16', { exact: true })).toBeVisible();
  });

  test('fine-tune the open autoencoder on 1s for a few steps, then open the result', async ({ page }) => {
    test.setTimeout(180_000);
    mkdirSync(OUT, { recursive: true });
    await openZoo(page, 'autoencoder-mnist');
    await page.getByRole('tab', { name: 'Autoencoder' }).click();
    await expect(page.getByTestId('ae-model')).toHaveAttribute('data-bottleneck', /.+/, { timeout: 60_000 });

    await page.getByTestId('ae-section-train').click();
    await page.getByTestId('ae-train-mode-finetune').check();
    await page.getByTestId('ae-train-class').selectOption({ label: '1' });
    await page.getByTestId('ae-train-epochs').fill('1');
    await page.getByTestId('ae-train-steps').fill('30');
    await expect(page.getByTestId('ae-train-run')).toHaveText('Fine-tune');
    await page.getByTestId('ae-train-run').click();
    const result = page.getByTestId('ae-train-result');
    await expect(result).toHaveAttribute('data-steps', '30', { timeout: 120_000 });
    await expect(result).toHaveAttribute('data-mode', 'finetune');
    // Held-out error of 1s before and after, both measured (a trained AE reconstructs 1s well: small, positive).
    const before = Number(await result.getAttribute('data-mse-before')), after = Number(await result.getAttribute('data-mse-after'));
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(0.01);
    expect(after).toBeGreaterThan(0);
    await expect(result).toContainText('Held-out MSE');
    await expect(page.getByText(/only class 1: \d+ training and 1135 held-out/)).toBeVisible();
    await expect(page.getByTestId('ae-train-save')).toHaveAttribute('download', 'autoencoder-mnist-finetuned-mnist-c1.onnx');
    const shot = join(OUT, 'autoencoder-finetune.png');
    await page.screenshot({ path: shot });
    expect(await imageStdev(shot), 'screenshot is not blank').toBeGreaterThan(12);

    // Open the fine-tuned model: same architecture, so the view comes back with the same 784/16 split.
    await page.getByTestId('ae-train-open').click();
    await expect(page.getByTestId('zoo-picker').locator('option:checked')).toHaveText('autoencoder-mnist-finetuned-mnist-c1.onnx', { timeout: 60_000 });
    await expect(page.getByTestId('ae-model')).toHaveAttribute('data-ratio', '49', { timeout: 60_000 });
  });
});
