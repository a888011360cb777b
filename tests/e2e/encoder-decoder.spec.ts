// Opening an autoencoder as two files from the header: the shipped MNIST autoencoder cut into an
// encoder and a decoder file (core code, in this process), picked in the "Open encoder + decoder…"
// form, opens as one model; the Autoencoder tab finds the bottleneck at the encoder output (49×) and
// reconstructs a digit. Files that do not fit give an error naming both shapes.
import { expect, test } from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './host-process.ts';
import { appUrl, imageStdev, watchErrors } from './view-helpers.ts';
import { splitShipped } from '../autoencoder/split-shipped.ts';

const OUT = join(ROOT, 'tests', 'output');
const FILES = join(OUT, 'e2e-encoder-decoder');

test('open encoder + decoder files: one autoencoder, bottleneck at the encoder output, a digit rebuilt', async ({ page }) => {
  test.setTimeout(180_000);
  mkdirSync(FILES, { recursive: true });
  const good = splitShipped();
  const bad = splitShipped('latent', 'decoder.relu');
  const paths = {
    encoder: join(FILES, 'encoder.onnx'), decoder: join(FILES, 'decoder.onnx'), wrong: join(FILES, 'wide-decoder.onnx'), opset18: join(FILES, 'decoder-opset18.onnx'),
  };
  writeFileSync(paths.opset18, splitShipped('latent', 'latent', 18).decoder);
  writeFileSync(paths.encoder, good.encoder);
  writeFileSync(paths.decoder, good.decoder);
  writeFileSync(paths.wrong, bad.decoder);

  const errors = watchErrors(page);
  await page.goto(appUrl());
  const canvas = page.getByTestId('graph-canvas');
  await expect(canvas).toHaveAttribute('data-phase', 'ready', { timeout: 90_000 });

  // The form: two pickers; Open waits for both.
  const toggle = page.getByTestId('open-encoder-decoder');
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  const form = page.getByTestId('encoder-decoder-form');
  const open = page.getByTestId('encoder-decoder-open');
  await expect(open).toBeDisabled();
  await page.getByTestId('encoder-input').setInputFiles(paths.encoder);
  await expect(open).toBeDisabled();
  await page.getByTestId('decoder-input').setInputFiles(paths.decoder);
  await expect(open).toBeEnabled();
  await page.screenshot({ path: join(OUT, 'encoder-decoder-form.png') });
  await open.click();
  await expect(form).toBeHidden();

  // One model of 16 layers (8 encoder, 8 decoder), named after both files.
  await expect(canvas).toHaveAttribute('data-layer-count', '16', { timeout: 90_000 });
  await expect(canvas).toHaveAttribute('data-phase', 'ready', { timeout: 90_000 });
  await expect(page.getByTestId('zoo-picker').locator('option:checked')).toHaveText('encoder.onnx + decoder.onnx');
  await expect(page.getByTestId('open-warnings')).toHaveCount(0);
  await expect(page.getByTestId('status-bar').locator('.name')).toHaveText('encoder.onnx + decoder.onnx');

  // The Autoencoder tab: the bottleneck is the encoder's output, 784 → 16 = 49×; a digit rebuilt.
  await page.getByRole('tab', { name: 'Autoencoder' }).click();
  const model = page.getByTestId('ae-model');
  await expect(model).toHaveAttribute('data-bottleneck', 'latent', { timeout: 60_000 });
  await expect(model).toHaveAttribute('data-ratio', '49');
  await expect(page.getByTestId('ae-ratio')).toContainText('49');
  for (const id of ['ae-input-canvas', 'ae-recon-canvas', 'ae-error-canvas']) {
    await expect(page.getByTestId(id)).toHaveAttribute('width', '168', { timeout: 60_000 });
  }
  // The shipped model's MNIST test MSE is ≈ 0.012: a digit rebuilt by the joined files scores low.
  const score = Number(await page.getByTestId('ae-image-score').getAttribute('data-score'));
  expect(score).toBeGreaterThan(0);
  expect(score).toBeLessThan(0.05);
  const reconShot = join(OUT, 'encoder-decoder-recon.png');
  await page.getByTestId('ae-recon').screenshot({ path: reconShot });
  expect(await imageStdev(reconShot)).toBeGreaterThan(10);
  const shot = join(OUT, 'encoder-decoder-autoencoder.png');
  await page.screenshot({ path: shot });
  expect(await imageStdev(shot), 'screenshot is not blank').toBeGreaterThan(12);

  // A decoder that takes a wider code: a clear error naming both shapes; the open model stays.
  await toggle.click();
  await page.getByTestId('encoder-input').setInputFiles(paths.encoder);
  await page.getByTestId('decoder-input').setInputFiles(paths.wrong);
  await page.getByTestId('encoder-decoder-open').click();
  const banner = page.getByTestId('error-banner');
  await expect(banner).toContainText('Could not open encoder.onnx + wide-decoder.onnx', { timeout: 60_000 });
  await expect(banner).toContainText('the encoder outputs [16]');
  await expect(banner).toContainText('the decoder takes [1568]');
  await expect(model).toHaveAttribute('data-bottleneck', 'latent');
  await page.screenshot({ path: join(OUT, 'encoder-decoder-error.png') });

  // Joining warnings show unobtrusively in the header: a notes chip that opens a list.
  await page.getByTestId('error-banner').getByRole('button', { name: 'Dismiss' }).click();
  await toggle.click();
  await page.getByTestId('encoder-input').setInputFiles(paths.encoder);
  await page.getByTestId('decoder-input').setInputFiles(paths.opset18);
  await page.getByTestId('encoder-decoder-open').click();
  const notes = page.getByTestId('open-warnings');
  await expect(notes).toHaveText(/1 note/, { timeout: 60_000 });
  await expect(page.getByTestId('status-bar').locator('.name')).toHaveText('encoder.onnx + decoder-opset18.onnx');
  await notes.locator('summary').click();
  await expect(notes.locator('li')).toHaveText('opset ai.onnx: encoder and decoder differ (17 vs 18); using 18');
  await expect(model).toHaveAttribute('data-bottleneck', 'latent', { timeout: 60_000 });
  await page.screenshot({ path: join(OUT, 'encoder-decoder-notes.png') });
  await notes.locator('summary').click();

  // Escape closes the form and gives focus back to its button.
  await toggle.click();
  await expect(form).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(form).toBeHidden();
  await expect(toggle).toBeFocused();

  expect(errors, 'no page errors or CSP violations').toEqual([]);
});
