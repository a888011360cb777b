// The autoencoder split on the layer graph against the real browser host: the shipped MNIST
// autoencoder from the zoo shows a legend with its 49× compression (784 → 16) and tints its
// encoder, bottleneck and decoder regions (read from screenshot pixels beside each node, at two
// zoom levels); the details panel names a layer's part; picking another bottleneck in the
// Autoencoder tab moves the split on the graph; a classifier shows none.
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { ROOT } from './host-process.ts';
import { lenetName, openZoo, sharedPage } from './view-helpers.ts';
import { AE_PART_STYLE, type AePart } from '../../renderer/src/lib/ae-split.ts';
import { LAYER_W } from '../../renderer/src/lib/graph-model.ts';

const OUT = join(ROOT, 'tests', 'output');
const BACKGROUND = [0x11, 0x15, 0x1b] as const;
/** Must match the region padding and alphas of renderer/src/lib/graph-scene.ts. */
const REGION_PAD = 17;
const ALPHA: Record<AePart, number> = { encoder: 0.15, bottleneck: 0.3, decoder: 0.15 };

interface NodeBox { kind: string; layer: number; name: string; op: string; x: number; y: number; w: number; h: number }
const nodes = (page: Page) => page.evaluate(() => (window as unknown as { __receptiveGraph: { nodes(): NodeBox[] } }).__receptiveGraph.nodes());

/** What a region of `part` looks like over the background: the part colour blended at its alpha. */
function regionColour(part: AePart): number[] {
  const v = Number.parseInt(AE_PART_STYLE[part].color.slice(1), 16);
  const rgb = [(v >> 16) & 255, (v >> 8) & 255, v & 255];
  return rgb.map((c, k) => c * ALPHA[part] + BACKGROUND[k]! * (1 - ALPHA[part]));
}
const REFERENCES: [AePart | 'none', number[]][] = [['none', [...BACKGROUND]], ...(['encoder', 'bottleneck', 'decoder'] as const).map((p): [AePart, number[]] => [p, regionColour(p)])];

/** Screenshot the page; classify the mean colour of a 3×3 patch at each point as a region (or none). */
async function regionsAt(page: Page, points: { x: number; y: number }[], shot: string): Promise<(AePart | 'none')[]> {
  const path = join(OUT, shot);
  await page.screenshot({ path });
  const { data, info } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return points.map(({ x, y }) => {
    const mean = [0, 0, 0];
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
      const o = ((Math.round(y) + dy) * info.width + Math.round(x) + dx) * 3;
      for (let k = 0; k < 3; k++) mean[k]! += data[o + k]! / 9;
    }
    let best: AePart | 'none' = 'none', bestD = Infinity;
    for (const [name, ref] of REFERENCES) {
      const d = Math.hypot(mean[0]! - ref[0]!, mean[1]! - ref[1]!, mean[2]! - ref[2]!);
      if (d < bestD) { bestD = d; best = name; }
    }
    return best;
  });
}

/** Each layer's region colour, sampled just left of its box inside the region's padding. */
async function layerRegions(page: Page, shot: string): Promise<Record<string, AePart | 'none'>> {
  const canvas = (await page.getByTestId('graph-canvas').boundingBox())!;
  const layers = (await nodes(page)).filter((n) => n.kind === 'layer' && n.y > canvas.y + 4 && n.y + n.h < canvas.y + canvas.height - 4);
  const scale = layers[0]!.w / LAYER_W;
  const parts = await regionsAt(page, layers.map((n) => ({ x: n.x - (REGION_PAD * scale) / 2, y: n.y + n.h / 2 })), shot);
  return Object.fromEntries(layers.map((n, i) => [n.name, parts[i]!]));
}

/** The split the shipped model's layer names imply at `bottleneck`'s producer (worked out by hand). */
function expectedParts(names: string[], order: string[], bottleneckLayer: string): Record<string, AePart> {
  const at = order.indexOf(bottleneckLayer);
  return Object.fromEntries(names.map((n) => {
    const k = order.indexOf(n);
    return [n, k < at ? 'encoder' : k === at ? 'bottleneck' : 'decoder'];
  }));
}

// The shipped model is a chain; its nodes in order.
const ORDER = [
  'encoder.0', 'encoder.1', 'encoder.2', 'encoder.3', 'encoder.4', 'encoder.5', 'bottleneck.flatten', 'bottleneck.fc',
  'decoder.fc', 'decoder.relu', 'decoder.unflatten.shape_1', 'decoder.unflatten', 'decoder.0', 'decoder.1', 'decoder.2', 'decoder.3',
];

test.describe('autoencoder split on the graph', () => {
  let page: Page;
  let errors: string[];
  test.beforeAll(async ({ browser }) => { ({ page, errors } = await sharedPage(browser)); mkdirSync(OUT, { recursive: true }); });
  test.afterAll(async () => { await page.close(); });
  test.afterEach(() => { expect(errors, 'no page errors or CSP violations').toEqual([]); });

  test('autoencoder-mnist: legend with 49×, tinted regions, details part, the split follows the pick', async () => {
    test.setTimeout(180_000);
    await openZoo(page, 'autoencoder-mnist');
    const canvas = page.getByTestId('graph-canvas');
    const legend = page.getByTestId('ae-legend');
    await expect(legend).toBeVisible({ timeout: 60_000 });
    await expect(legend).toHaveAttribute('data-bottleneck', 'latent');
    await expect(legend).toHaveAttribute('data-ratio', '49');
    await expect(legend).toHaveText(/Encoder\s*·\s*Bottleneck \(N × 16, 49× compression\)\s*·\s*Decoder/);
    await expect(canvas).toHaveAttribute('data-split', 'latent');

    // Whole graph in view: every layer's region has its part's colour.
    await page.getByTestId('fit').click();
    await page.waitForTimeout(150);
    const fitted = await layerRegions(page, 'graph-ae-split-fit.png');
    expect(Object.keys(fitted)).toHaveLength(16);
    expect(fitted).toEqual(expectedParts(Object.keys(fitted), ORDER, 'bottleneck.fc'));

    // Zoomed in on the bottleneck (readable labels): the regions follow the view.
    await page.evaluate(() => (window as unknown as { __receptiveGraph: { centerOn(n: string): boolean } }).__receptiveGraph.centerOn('bottleneck.fc'));
    await page.waitForTimeout(150);
    const close = await layerRegions(page, 'graph-ae-split.png');
    expect(close['bottleneck.fc']).toBe('bottleneck');
    expect(Object.keys(close).length).toBeGreaterThanOrEqual(4);
    expect(close).toEqual(expectedParts(Object.keys(close), ORDER, 'bottleneck.fc'));

    // centerOn selected the bottleneck layer: the details panel names its part.
    const part = page.getByTestId('detail-ae-part');
    await expect(part).toHaveAttribute('data-part', 'bottleneck');
    await expect(part).toContainText('Bottleneck');
    await expect(part).toContainText('N × 16, 49× compression');
    // Clicking an encoder layer on the canvas: "Encoder".
    const enc = (await nodes(page)).find((n) => n.name === 'bottleneck.flatten')!;
    await page.mouse.click(enc.x + enc.w / 2, enc.y + enc.h / 2);
    await expect(page.getByTestId('detail-name')).toHaveText('bottleneck.flatten');
    await expect(part).toHaveAttribute('data-part', 'encoder');
    await expect(part).toContainText('one of 7 encoder layers');
    await page.screenshot({ path: join(OUT, 'graph-ae-split-details.png') });

    // Pick another bottleneck in the Autoencoder tab: the graph's split moves up to encoder.5.
    await page.getByRole('tab', { name: 'Autoencoder' }).click();
    await expect(page.getByTestId('ae-model')).toHaveAttribute('data-bottleneck', 'latent', { timeout: 60_000 });
    await page.getByTestId('ae-bottleneck-pick').selectOption('encoder.5');
    await expect(page.getByTestId('ae-model')).toHaveAttribute('data-bottleneck', 'encoder.5', { timeout: 30_000 });
    await page.getByRole('tab', { name: 'Graph' }).click();
    await expect(canvas).toHaveAttribute('data-phase', 'ready', { timeout: 60_000 });
    await expect(legend).toHaveAttribute('data-bottleneck', 'encoder.5', { timeout: 30_000 });
    // 784 pixels into 32 × 7 × 7 = 1,568 values: no compression, and the legend says so.
    await expect(legend).toContainText('Bottleneck (N × 32 × 7 × 7, 0.5× — no compression)');
    await expect(canvas).toHaveAttribute('data-split', 'encoder.5');
    await page.getByTestId('fit').click();
    await page.waitForTimeout(150);
    const moved = await layerRegions(page, 'graph-ae-split-moved.png');
    expect(Object.keys(moved)).toHaveLength(16);
    expect(moved).toEqual(expectedParts(Object.keys(moved), ORDER, 'encoder.5'));
    expect(moved['bottleneck.fc']).toBe('decoder');

    // A classifier has no split: no legend, no tint.
    await openZoo(page, await lenetName(page));
    await expect(canvas).toHaveAttribute('data-split', '');
    await expect(legend).toHaveCount(0);
    const plain = await layerRegions(page, 'graph-ae-split-classifier.png');
    expect(new Set(Object.values(plain))).toEqual(new Set(['none']));
  });
});
