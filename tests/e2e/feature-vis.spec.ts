// Feature visualisation from the Activations view: pick a channel of trained LeNet-5, synthesise
// the input that excites it (live previews, cancel), and check the objective rose.
import { expect, test } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './host-process.ts';
import { imageStdev, lenetName, openZoo, sharedPage } from './view-helpers.ts';

const OUT = join(ROOT, 'tests', 'output');
interface Tile { channel: number; x: number; y: number; w: number; h: number }

test('feature visualisation of a LeNet-5 channel: live progress, result, cancel', async ({ browser }) => {
  const { page, errors } = await sharedPage(browser);
  const name = await lenetName(page);
  await openZoo(page, name);
  await page.getByRole('tab', { name: 'Activations' }).click();
  await page.locator('[data-testid="activation-layer"][data-layer="features.3"]').click();
  const grid = page.getByTestId('activation-grid');
  await expect(grid).toHaveAttribute('data-layer', 'features.3', { timeout: 60_000 });
  const tiles = await page.evaluate(() => (window as unknown as { __receptiveActivations: { tiles(): Tile[] } }).__receptiveActivations.tiles());
  const t = tiles.find((x) => x.channel === 3)!;
  await page.mouse.click(t.x + t.w / 2, t.y + t.h / 2);
  await expect(page.getByTestId('channel-view')).toContainText('Channel 3');

  const panel = page.getByTestId('feature-vis');
  await panel.getByLabel('Steps').selectOption('128');
  await page.getByTestId('vis-run').click();
  await expect(page.getByTestId('vis-canvas')).toBeVisible({ timeout: 60_000 }); // a live preview arrived
  const objective = page.getByTestId('vis-objective');
  await expect(objective).toBeVisible({ timeout: 120_000 });
  const [start, end] = (await objective.textContent())!.split('→').map((s) => Number(s.trim()));
  expect(end!).toBeGreaterThan(5 * Math.max(start!, 1e-3));

  mkdirSync(OUT, { recursive: true });
  const shot = join(OUT, 'activations-feature-vis.png');
  await page.screenshot({ path: shot });
  expect(await imageStdev(shot)).toBeGreaterThan(8);
  const vis = join(OUT, 'feature-vis-canvas.png');
  await page.getByTestId('vis-canvas').screenshot({ path: vis });
  expect(await imageStdev(vis)).toBeGreaterThan(5);

  // A long run can be cancelled.
  await panel.getByLabel('Steps').selectOption('512');
  await page.getByTestId('vis-run').click();
  await expect(page.getByTestId('vis-progress')).toBeVisible();
  await page.getByTestId('vis-cancel').click();
  await expect(page.getByTestId('vis-message')).toHaveText('Cancelled.');
  expect(errors, 'no page errors or CSP violations').toEqual([]);
  await page.close();
});

