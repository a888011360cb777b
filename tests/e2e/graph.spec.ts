// The graph view against the real browser host: pick ResNet-18 from the zoo, see every layer
// drawn, click conv1 for its details, search, screenshot; a bad file shows an error and the
// app keeps working.
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { buildZooModel } from '../../core/zoo/index.ts';
import { ROOT } from './host-process.ts';

interface NodeBox { kind: string; layer: number; name: string; op: string; x: number; y: number; w: number; h: number }
const OUT = join(ROOT, 'tests', 'output');

function appUrl(): string {
  const url = process.env.RECEPTIVE_URL;
  if (!url) throw new Error('RECEPTIVE_URL is unset: run through `npx playwright test` so global-setup starts the host');
  return url;
}

async function waitForGraph(page: Page, layers?: number): Promise<void> {
  const canvas = page.getByTestId('graph-canvas');
  if (layers !== undefined) await expect(canvas).toHaveAttribute('data-layer-count', String(layers), { timeout: 90_000 });
  await expect(canvas).toHaveAttribute('data-phase', 'ready', { timeout: 90_000 });
  await expect(canvas).toHaveAttribute('data-drawn', /\d+/);
}

const nodes = (page: Page) => page.evaluate(() => (window as unknown as { __receptiveGraph: { nodes(): NodeBox[] } }).__receptiveGraph.nodes());

/** Share of canvas pixels that differ clearly from the background colour. */
const inkFraction = (page: Page) => page.getByTestId('graph-canvas').evaluate((c: HTMLCanvasElement) => {
  const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
  let ink = 0;
  for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i]! - 0x11) + Math.abs(d[i + 1]! - 0x15) + Math.abs(d[i + 2]! - 0x1b) > 40) ink++;
  return ink / (d.length / 4);
});

test.describe('graph view', () => {
  const pageErrors: string[] = [];
  test.beforeEach(async ({ page }) => {
    pageErrors.length = 0;
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
    await page.goto(appUrl());
    // A first start opens the default model, so there is something real on screen.
    await waitForGraph(page);
  });
  test.afterEach(() => { expect(pageErrors, 'no page errors or CSP violations').toEqual([]); });

  test('resnet18 from the picker: all layers drawn, conv1 details, search, screenshot', async ({ page }) => {
    const expectedLayers = buildZooModel('resnet18').graph!.node.length;
    expect(expectedLayers).toBe(69);
    await page.getByTestId('zoo-picker').selectOption('resnet18');
    await waitForGraph(page, expectedLayers);
    await expect(page.getByTestId('total-layers')).toContainText(String(expectedLayers));
    await expect(page.getByTestId('total-params')).toContainText('11.7 M');

    const boxes = await nodes(page);
    expect(boxes.filter((b) => b.kind === 'layer')).toHaveLength(expectedLayers);
    expect(await page.getByTestId('layer-list').locator('li').count()).toBe(expectedLayers);
    expect(await inkFraction(page)).toBeGreaterThan(0.02);

    // No two node boxes overlap (labels live inside boxes, so no label overlaps either).
    const sorted = [...boxes].sort((a, b) => a.y - b.y);
    for (let i = 0; i < sorted.length; i++) {
      for (let j = i + 1; j < sorted.length && sorted[j]!.y < sorted[i]!.y + sorted[i]!.h; j++) {
        const a = sorted[i]!, b = sorted[j]!;
        expect(a.x + a.w <= b.x || b.x + b.w <= a.x, `${a.name} overlaps ${b.name}`).toBe(true);
      }
    }

    // Click the first convolution where it is drawn.
    const conv1 = boxes.find((b) => b.name === 'conv1');
    expect(conv1?.op).toBe('Conv');
    await page.mouse.click(conv1!.x + conv1!.w / 2, conv1!.y + conv1!.h / 2);
    const details = page.getByTestId('details-panel');
    await expect(details.getByTestId('detail-name')).toHaveText('conv1');
    await expect(details.getByTestId('detail-op')).toHaveText('Conv');
    // 224 input, 7×7 kernel, stride 2, pad 3: floor((224 + 6 − 7) / 2) + 1 = 112.
    await expect(details.getByTestId('detail-output-shape')).toHaveText('N × 64 × 112 × 112');
    await expect(details.getByTestId('detail-rf-size')).toHaveText('7 px');
    // 64 filters of 3×7×7, no bias.
    await expect(details.getByTestId('detail-params')).toHaveText('9,408');

    mkdirSync(OUT, { recursive: true });
    const shot = join(OUT, 'graph-resnet18.png');
    await page.screenshot({ path: shot, fullPage: true });
    const stats = await sharp(shot).stats();
    const meanStdev = stats.channels.slice(0, 3).reduce((s, c) => s + c.stdev, 0) / 3;
    expect(meanStdev, 'screenshot is not blank').toBeGreaterThan(12);

    // The provider in use, and the report of every provider tried.
    const provider = page.getByTestId('provider');
    await expect(provider.locator('summary')).toContainText(/cpu/i);
    await provider.locator('summary').click();
    await expect(provider.locator('li').first()).toBeVisible();
    await provider.locator('summary').click();

    // Nothing needs style-src 'unsafe-inline': no <style> elements were injected at run time.
    expect(await page.locator('style').count()).toBe(0);

    // Arrow keys walk the graph from the selection: conv1 feeds bn1.
    await page.keyboard.press('ArrowDown');
    await expect(details.getByTestId('detail-op')).toHaveText('BatchNormalization');
    await expect(details.getByTestId('detail-output-shape')).toHaveText('N × 64 × 112 × 112');
    await page.keyboard.press('ArrowUp');
    await expect(details.getByTestId('detail-name')).toHaveText('conv1');

    // Search: the classifier head is the only Gemm; Enter selects it and centres it.
    const search = page.getByTestId('graph-search');
    await search.fill('gemm');
    await expect(page.getByTestId('search-count')).toHaveText('– of 1');
    await search.press('Enter');
    await expect(page.getByTestId('search-count')).toHaveText('1 of 1');
    await expect(details.getByTestId('detail-op')).toHaveText('Gemm');
    await expect(details.getByTestId('detail-output-shape')).toHaveText('N × 1000');
    const canvasBox = (await page.getByTestId('graph-canvas').boundingBox())!;
    const gemm = (await nodes(page)).find((b) => b.op === 'Gemm')!;
    expect(Math.abs(gemm.x + gemm.w / 2 - (canvasBox.x + canvasBox.width / 2))).toBeLessThan(2);
    expect(Math.abs(gemm.y + gemm.h / 2 - (canvasBox.y + canvasBox.height / 2))).toBeLessThan(2);

    // A name query matches every layer of a stage.
    await search.fill('layer4.');
    const stage4 = boxes.filter((b) => b.name.toLowerCase().includes('layer4.')).length;
    expect(stage4).toBeGreaterThan(10);
    await expect(page.getByTestId('search-count')).toHaveText(`– of ${stage4}`);
    await page.screenshot({ path: join(OUT, 'graph-resnet18-search.png') });
    await search.fill('');

    // Pan: dragging empty canvas moves every node by the drag.
    const cb = canvasBox;
    const fcBefore = (await nodes(page)).find((b) => b.op === 'Gemm')!;
    await page.mouse.move(cb.x + 40, cb.y + 200);
    await page.mouse.down();
    await page.mouse.move(cb.x + 100, cb.y + 150, { steps: 5 });
    await page.mouse.up();
    const fcPanned = (await nodes(page)).find((b) => b.op === 'Gemm')!;
    expect(fcPanned.x - fcBefore.x).toBeCloseTo(60, 0);
    expect(fcPanned.y - fcBefore.y).toBeCloseTo(-50, 0);

    // Wheel zoom keeps the point under the cursor fixed.
    const px = fcPanned.x + fcPanned.w * 0.25, py = fcPanned.y + fcPanned.h * 0.75;
    await page.mouse.move(px, py);
    await page.mouse.wheel(0, 400);
    await expect.poll(async () => (await nodes(page)).find((b) => b.op === 'Gemm')!.w).toBeLessThan(fcPanned.w * 0.8);
    const fcZoomed = (await nodes(page)).find((b) => b.op === 'Gemm')!;
    expect(fcZoomed.x + fcZoomed.w * 0.25).toBeCloseTo(px, 0);
    expect(fcZoomed.y + fcZoomed.h * 0.75).toBeCloseTo(py, 0);

    // Fit: every node inside the canvas.
    await page.getByTestId('fit').click();
    for (const b of await nodes(page)) {
      expect(b.x).toBeGreaterThanOrEqual(cb.x - 0.5);
      expect(b.y).toBeGreaterThanOrEqual(cb.y - 0.5);
      expect(b.x + b.w).toBeLessThanOrEqual(cb.x + cb.width + 0.5);
      expect(b.y + b.h).toBeLessThanOrEqual(cb.y + cb.height + 0.5);
    }
  });

  test('a bad file shows an error banner and the app keeps working', async ({ page }) => {
    const before = await page.getByTestId('graph-canvas').getAttribute('data-layer-count');
    await page.getByTestId('file-input').setInputFiles({ name: 'broken.onnx', mimeType: 'application/octet-stream', buffer: Buffer.from('this is not an ONNX model at all') });
    const banner = page.getByTestId('error-banner');
    await expect(banner).toBeVisible();
    await expect(banner).toContainText('Could not open broken.onnx');
    // The model that was open stays open.
    await expect(page.getByTestId('graph-canvas')).toHaveAttribute('data-layer-count', before!);
    await page.screenshot({ path: join(OUT, 'graph-error.png') });

    // Still works: open a zoo model; success clears the banner.
    await page.getByTestId('zoo-picker').selectOption('autoencoder');
    await waitForGraph(page, buildZooModel('autoencoder').graph!.node.length);
    await page.screenshot({ path: join(OUT, 'graph-autoencoder.png') });
    await expect(banner).toHaveCount(0);
  });

  test('a file dropped on the window opens', async ({ page }) => {
    const { toBinary, ModelProtoSchema } = await import('../../core/onnx/proto.ts');
    const model = buildZooModel('lenet5');
    const bytes = [...toBinary(ModelProtoSchema, model)];
    const dt = await page.evaluateHandle((b) => {
      const t = new DataTransfer();
      t.items.add(new File([new Uint8Array(b)], 'dropped-lenet.onnx', { type: 'application/octet-stream' }));
      return t;
    }, bytes);
    await page.dispatchEvent('body', 'dragenter', { dataTransfer: dt });
    await page.dispatchEvent('body', 'drop', { dataTransfer: dt });
    await expect(page.getByTestId('zoo-picker').locator('option[value=""]')).toHaveText('dropped-lenet.onnx');
    await waitForGraph(page, model.graph!.node.length);
    await expect(page.getByTestId('error-banner')).toHaveCount(0);
  });
});
