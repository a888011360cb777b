// DenseNet-121 in the graph view: from the openModel response to the first drawn frame
// (ELK layout in the worker + canvas draw), measured in headless Chromium against the real
// browser host. Target < 2 s.
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../playwright.config.ts';
import { buildRenderer, startHost } from '../tests/e2e/host-process.ts';
import { median, type Bench } from './harness.ts';

const MODEL = 'densenet121';
const REPEATS = 3;

interface HookStats { phase: string; layerCount: number; nodeCount: number; edgeCount: number; stats: { layoutMs: number; firstDrawMs: number } }

const bench: Bench = async (report) => {
  buildRenderer();
  const host = await startHost();
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(host.url);
    const canvas = page.locator('[data-testid=graph-canvas]');
    await canvas.waitFor({ timeout: 120_000 });
    const drawn: number[] = [];
    const layout: number[] = [];
    let last: HookStats | undefined;
    for (let i = 0; i < REPEATS; i++) {
      // Alternate with a small model so each round lays DenseNet out from scratch.
      for (const name of ['lenet5', MODEL]) {
        const before = await canvas.getAttribute('data-drawn');
        await page.selectOption('[data-testid=zoo-picker]', name);
        await page.waitForFunction((b) => {
          const c = document.querySelector('[data-testid=graph-canvas]');
          return c?.getAttribute('data-phase') === 'ready' && c.getAttribute('data-drawn') !== b;
        }, before, { timeout: 180_000 });
      }
      last = await page.evaluate(() => {
        const g = (window as unknown as { __receptiveGraph: HookStats }).__receptiveGraph;
        return { phase: g.phase, layerCount: g.layerCount, nodeCount: g.nodeCount, edgeCount: g.edgeCount, stats: g.stats };
      });
      drawn.push(last.stats.firstDrawMs);
      layout.push(last.stats.layoutMs);
    }
    const d = median(drawn);
    report.row({ group: 'graph view', name: `${MODEL} openModel → first draw`, value: d, unit: 'ms', target: '< 2000', ok: d < 2000, note: `${last?.layerCount} layers, ${last?.edgeCount} edges; runs ${drawn.map((x) => x.toFixed(0)).join(', ')}` });
    report.row({ group: 'graph view', name: `${MODEL} ELK layout (worker)`, value: median(layout), unit: 'ms' });
  } finally {
    await browser.close();
    await host.stop();
  }
};

export default bench;
