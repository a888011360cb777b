// The Heatmaps view against the real browser host: trained LeNet-5 on a shipped MNIST digit with
// Grad-CAM and occlusion, hover readout, opacity, faithfulness; then a generated DICOM radiograph
// (file input), windowing by dragging, pixel spacing, and a map over the 16-bit original.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './host-process.ts';
import { imageStdev, lenetName, openZoo, freshAppEachTest } from './view-helpers.ts';
import { makeDicom } from '../dicom/make-dicom.ts';

const OUT = join(ROOT, 'tests', 'output');

/** Pixel statistics of a canvas: how many are coloured (not gray), and a checksum. */
function canvasStats(c: Locator): Promise<{ colored: number; sum: number; n: number; std: number }> {
  return c.evaluate((el) => {
    const cv = el as HTMLCanvasElement;
    const d = cv.getContext('2d')!.getImageData(0, 0, cv.width, cv.height).data;
    let colored = 0, sum = 0, sq = 0;
    for (let i = 0; i < d.length; i += 4) {
      const r = d[i]!, g = d[i + 1]!, b = d[i + 2]!;
      if (Math.abs(r - g) > 12 || Math.abs(g - b) > 12) colored++;
      const l = r + g + b;
      sum += l * ((i / 4) % 7 + 1);
      sq += l * l;
    }
    const n = d.length / 4, mean = sum / n;
    return { colored, sum, n, std: Math.sqrt(Math.max(0, sq / n - (mean / 4) ** 2)) };
  });
}

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const path = join(OUT, name);
  await page.screenshot({ path });
  expect(await imageStdev(path), `${name} is not blank`).toBeGreaterThan(12);
}

test.describe('heatmaps view', () => {
  freshAppEachTest();

  test('lenet5 on an MNIST digit: Grad-CAM + occlusion, readout, opacity, faithfulness; a DICOM with windowing', async ({ page }) => {
    test.setTimeout(240_000);
    const name = await lenetName(page);
    await openZoo(page, name);
    await page.getByRole('tab', { name: 'Heatmaps' }).click();
    await expect(page.getByTestId('radiograph-canvas')).toBeVisible({ timeout: 60_000 });

    // Shipped MNIST test digit 1 (a 2).
    await page.getByTestId('heat-sample-index').fill('1');
    await page.getByTestId('heat-sample-index').press('Enter');
    await expect(page.getByTestId('heat-input-name')).toHaveText('mnist-test:1');
    await expect(page.locator('[data-testid="method"][data-method="gradcam"]')).toBeChecked();
    await expect(page.locator('[data-testid="method"][data-method="occlusion"]')).toBeChecked();
    await page.getByTestId('run-explain').click();
    await expect(page.getByTestId('heatmap-card')).toHaveCount(2, { timeout: 120_000 });
    if (name === 'lenet5-mnist') await expect(page.getByTestId('explain-target')).toHaveText('2');
    // Top-k class toggle from the predictions.
    await expect(page.getByTestId('target-class')).toHaveCount(5);

    const cam = page.locator('[data-testid="heatmap-canvas"][data-method="gradcam"]');
    const before = await canvasStats(cam);
    expect(before.colored, 'Grad-CAM paints coloured pixels over the gray digit').toBeGreaterThan(before.n * 0.05);
    const occ = await canvasStats(page.locator('[data-testid="heatmap-canvas"][data-method="occlusion"]'));
    expect(occ.colored).toBeGreaterThan(occ.n * 0.02);

    // Value under the cursor: original pixel coordinates and the map value.
    const box = (await cam.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const readout = page.locator('[data-testid="heatmap-card"][data-method="gradcam"] [data-testid="value-readout"]');
    await expect(readout).toHaveText(/x 14, y 14 · map -?\d[\d.e+-]* \(\d\.\d\d\) · pixel \d+/);

    // Opacity changes the drawn pixels.
    await page.getByTestId('opacity').fill('1');
    await expect.poll(async () => (await canvasStats(cam)).sum).not.toBe(before.sum);
    await page.getByTestId('opacity').fill('0.5');

    // Faithfulness numbers in the trust panel.
    const camCard = page.locator('[data-testid="heatmap-card"][data-method="gradcam"]');
    await camCard.getByTestId('run-faithfulness').click();
    await expect(camCard.getByTestId('faithfulness')).toContainText(/Deletion AUC ↓\s*0\.\d{3}/, { timeout: 90_000 });
    // Sanity check verdict (cascading randomisation) for Grad-CAM.
    await camCard.getByTestId('run-sanity').click();
    await expect(camCard.getByTestId('sanity-verdict')).toContainText(/score -?\d\.\d\d/, { timeout: 120_000 });
    await shot(page, 'heatmaps-mnist.png');

    // The raw map as .npy: NumPy header, shape (28, 28), 784 float32 values.
    const [npy] = await Promise.all([page.waitForEvent('download'), camCard.getByTestId('export-npy').click()]);
    expect(npy.suggestedFilename()).toMatch(/^mnist-test_1-gradcam-class\d\.npy$/);
    const bytes = readFileSync((await npy.path())!);
    expect(bytes.subarray(1, 6).toString('latin1')).toBe('NUMPY');
    const hlen = bytes.readUInt16LE(8);
    expect(bytes.subarray(10, 10 + hlen).toString('latin1')).toContain("'shape': (28, 28)");
    expect(bytes.length - 10 - hlen).toBe(28 * 28 * 4);
    const [png] = await Promise.all([page.waitForEvent('download'), camCard.getByTestId('export-png').click()]);
    expect(readFileSync((await png.path())!).subarray(1, 4).toString('latin1')).toBe('PNG');

    // Side by side: the map alone on its own canvas; per-data-set normalisation is stated.
    await page.getByTestId('layout').selectOption('side');
    const sideCanvas = camCard.getByTestId('heatmap-side');
    await expect(sideCanvas).toBeVisible();
    expect((await canvasStats(sideCanvas)).colored).toBeGreaterThan(100);
    await page.getByTestId('norm-mode').selectOption('dataset');
    await expect(camCard.getByTestId('norm-note')).toContainText('per data set');
    await shot(page, 'heatmaps-side.png');
    await page.getByTestId('layout').selectOption('overlay');

    // Long methods show progress and can be cancelled; the previous maps stay.
    for (const m of ['rise', 'smoothgrad', 'ig']) await page.locator(`[data-testid="method"][data-method="${m}"]`).check();
    await page.getByTestId('run-explain').click();
    await expect(page.getByTestId('explain-progress')).toBeVisible();
    await page.getByTestId('cancel-explain').click();
    await expect(page.getByTestId('heat-error')).toHaveText('cancelled', { timeout: 30_000 });
    await expect(page.getByTestId('heatmap-card')).toHaveCount(2);
    for (const m of ['rise', 'smoothgrad', 'ig']) await page.locator(`[data-testid="method"][data-method="${m}"]`).uncheck();

    // One method for each of the top-5 classes side by side; the predicted class's map differs from the others'.
    await page.getByTestId('compare-classes').click();
    await expect(page.getByTestId('class-card')).toHaveCount(5, { timeout: 120_000 });
    const classSums = await Promise.all([0, 1].map(async (i) => (await canvasStats(page.getByTestId('class-card').nth(i).getByTestId('heatmap-canvas'))).sum));
    expect(classSums[0]).not.toBe(classSums[1]);
    await shot(page, 'heatmaps-classes.png');

    // A generated DICOM radiograph: 16-bit, file windows, pixel spacing.
    const rows = 240, cols = 200;
    const pixels = new Uint16Array(rows * cols);
    for (let y = 0; y < rows; y++) for (let x = 0; x < cols; x++) {
      const blob = Math.exp(-(((x - 70) ** 2) + ((y - 90) ** 2)) / 900) * 2500;
      const ribs = Math.sin(y / 9) > 0.6 && x > 30 && x < 170 ? 600 : 0;
      pixels[y * cols + x] = Math.round(400 + x * 4 + ribs + blob);
    }
    // Chromium reads a local file lazily, so the temporary file stays until the view has loaded it.
    const dir = mkdtempSync(join(tmpdir(), 'receptive-heat-'));
    try {
      const file = join(dir, 'chest.dcm');
      writeFileSync(file, await makeDicom({ rows, cols, pixels, windows: [{ center: 1600, width: 2400 }], pixelSpacing: [0.5, 0.5] }));
      await page.getByTestId('heat-file-input').setInputFiles(file);
      await expect(page.getByTestId('heat-input-name')).toHaveText('chest.dcm', { timeout: 60_000 });
    } finally { rmSync(dir, { recursive: true, force: true }); }
    await expect(page.getByTestId('pixel-spacing')).toContainText('0.5 × 0.5 mm per pixel');
    await expect(page.getByTestId('window-readout')).toHaveText('C 1600 · W 2400');

    const rad = page.getByTestId('radiograph-canvas');
    const w0 = await canvasStats(rad);
    expect(w0.std).toBeGreaterThan(5);
    const rb = (await rad.boundingBox())!;
    await page.mouse.move(rb.x + rb.width / 2, rb.y + rb.height / 2);
    await page.mouse.down();
    await page.mouse.move(rb.x + rb.width / 2 - 100, rb.y + rb.height / 2 + 40, { steps: 5 });
    await page.mouse.up();
    await expect(page.getByTestId('window-readout')).not.toHaveText('C 1600 · W 2400');
    const w1 = await canvasStats(rad);
    expect(w1.sum, 'windowing by dragging changes the displayed pixels').not.toBe(w0.sum);

    // Grad-CAM on the radiograph: the overlay spans the 200×240 original.
    await page.locator('[data-testid="method"][data-method="occlusion"]').uncheck();
    await page.getByTestId('run-explain').click();
    await expect(page.getByTestId('explain-summary')).toContainText('chest.dcm', { timeout: 120_000 });
    await expect(page.getByTestId('explain-summary')).toContainText('from 200×240');
    const dcam = page.locator('[data-testid="heatmap-canvas"][data-method="gradcam"]');
    // Still normalised per data set (the digit maps set the range), then per image: the map's own
    // range shows at least as much of it. (The model saw the radiograph as windowed by the drag
    // above, so how weak its map is depends on that window.)
    await expect(page.getByTestId('norm-note')).toContainText('over 6 maps'); // digit: 5 classes; radiograph: 1
    const perDataset = (await canvasStats(dcam)).colored;
    await page.getByTestId('norm-mode').selectOption('image');
    await expect.poll(async () => (await canvasStats(dcam)).colored).toBeGreaterThan(500);
    expect((await canvasStats(dcam)).colored).toBeGreaterThanOrEqual(perDataset);
    expect(await dcam.evaluate((c) => (c as HTMLCanvasElement).width / (c as HTMLCanvasElement).height)).toBeCloseTo(200 / 240, 2);
    await shot(page, 'heatmaps-dicom.png');
  });
});
