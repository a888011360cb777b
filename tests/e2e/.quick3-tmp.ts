import { chromium } from 'playwright-core';
import { startHost } from './host-process.ts';
import { CHROMIUM_ARGS } from '../../playwright.config.ts';
const host = await startHost();
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
try {
  const p = await b.newPage({ viewport: { width: 1440, height: 900 } });
  p.on('pageerror', (e) => console.log('pageerror:', e.message));
  await p.goto(host.url);
  await p.waitForSelector('[data-testid=graph-canvas][data-phase=ready]', { timeout: 60000 });
  await p.selectOption('[data-testid=zoo-picker]', 'densenet121');
  await p.waitForSelector('[data-testid=graph-canvas][data-layer-count="427"][data-phase=ready]', { timeout: 120000 });
  await p.evaluate(() => (window as any).__receptiveGraph.centerOn('features.denseblock2.denselayer3.conv2'));
  await p.waitForTimeout(200);
  const n = (await p.evaluate(() => (window as any).__receptiveGraph.nodes())).find((x: any) => x.name === 'features.denseblock2.denselayer3.conv2');
  await p.mouse.move(n.x + 150, n.y + 20);
  await p.mouse.move(n.x + 160, n.y + 30);
  await p.waitForTimeout(200);
  await p.screenshot({ path: '/tmp/d-tip.png' });
  console.log(JSON.stringify(await p.evaluate(() => performance.getEntriesByType('measure').map((m) => [m.name, Math.round(m.duration)]))));
} finally { await b.close(); await host.stop(); }
