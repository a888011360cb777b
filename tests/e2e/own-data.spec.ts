// The user's own data in the browser host (started with `--data tests/output/e2e-data` by the global
// setup): the "Your data" picker lists the folder's sets; a folder of class sub-folders embeds with
// its classes as labels and is scored by the autoencoder file by file.
import { expect, test } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './host-process.ts';
import { DIGIT_CLASSES, E2E_DATA_DIR, IDX_COUNT, PER_CLASS } from './own-data-fixture.ts';
import { imageStdev, openZoo, sharedPage } from './view-helpers.ts';

const OUT = join(ROOT, 'tests', 'output');
const FILES = DIGIT_CLASSES.length * PER_CLASS;

test.describe('your own data', () => {
  test('Embeddings: the digits folder by PCA has a point per file and its classes; Autoencoder scores every file', async ({ browser }) => {
    test.setTimeout(240_000);
    mkdirSync(OUT, { recursive: true });
    const { page, errors } = await sharedPage(browser);
    await openZoo(page, 'autoencoder-mnist');

    // Embeddings: the picker lists exactly the folder's sets (the labels IDX file is not one).
    await page.getByRole('tab', { name: 'Embeddings' }).click();
    const pick = page.getByTestId('embed-own-data-select');
    await expect(pick).toBeVisible({ timeout: 30_000 });
    const options = await pick.locator('option:not([disabled])').evaluateAll((os) => os.map((o) => ({ value: (o as HTMLOptionElement).value, text: o.textContent ?? '' })));
    expect(options.map((o) => o.value)).toEqual([join(E2E_DATA_DIR, 'digits'), join(E2E_DATA_DIR, 'digits-images-idx3-ubyte')]);
    expect(options[0]!.text).toContain(`${FILES} images`);
    expect(options[1]!.text).toContain(`${IDX_COUNT} images`);
    await pick.selectOption(join(E2E_DATA_DIR, 'digits'));
    await expect(page.getByTestId('embed-dataset').locator('option:checked')).toHaveText('digits');

    await page.getByTestId('embed-source').selectOption('pixels');
    await page.getByTestId('embed-method').selectOption('pca');
    await page.getByTestId('embed-run').click();
    const canvas = page.getByTestId('embed-canvas');
    await expect(canvas).toHaveAttribute('data-phase', 'ready', { timeout: 90_000 });
    await expect(canvas).toHaveAttribute('data-n', String(FILES));
    await expect(page.getByTestId('embed-n')).toHaveText(String(FILES));
    await expect(page.locator('.legend li')).toHaveText(DIGIT_CLASSES);
    // Pixels of three digit classes separate well: nearest neighbours share the label.
    expect(Number(await page.getByTestId('embed-knn').textContent())).toBeGreaterThan(0.8);
    await page.waitForTimeout(300);
    const embedShot = join(OUT, 'own-data-embeddings.png');
    await page.screenshot({ path: embedShot });
    expect(await imageStdev(embedShot), 'screenshot is not blank').toBeGreaterThan(12);

    // Autoencoder → Score a set → the same folder, class 0 normal: all 60 files scored.
    await page.getByRole('tab', { name: 'Autoencoder' }).click();
    await page.getByTestId('ae-section-set').click();
    const aePick = page.getByTestId('ae-own-data-select');
    await expect(aePick).toBeVisible({ timeout: 30_000 });
    await aePick.selectOption(join(E2E_DATA_DIR, 'digits'));
    await expect(page.getByTestId('ae-set').locator('option:checked')).toHaveText(`Your data: digits (${FILES} images)`);
    await page.getByTestId('ae-own-normal').fill('0');
    await page.getByTestId('ae-score-run').click();
    const summary = page.getByTestId('ae-score-summary');
    await expect(summary).toHaveAttribute('data-count', String(FILES), { timeout: 120_000 });
    await expect(summary).toContainText(`${PER_CLASS} normal, ${FILES - PER_CLASS} anomalous`);
    const auroc = Number(await page.getByTestId('ae-auroc').getAttribute('data-auroc'));
    expect(auroc).toBeGreaterThanOrEqual(0);
    expect(auroc).toBeLessThanOrEqual(1);
    const table = page.getByTestId('ae-confusion');
    const cell = async (k: string) => Number(await table.getAttribute(`data-${k}`));
    expect(await cell('tp') + await cell('fn')).toBe(FILES - PER_CLASS);
    expect(await cell('fp') + await cell('tn')).toBe(PER_CLASS);
    // The worst-scored items are the folder's files.
    const worst = await page.getByTestId('ae-worst').locator('.item').evaluateAll((els) => els.map((e) => e.getAttribute('title') ?? ''));
    expect(worst.length).toBe(12);
    for (const w of worst) expect(w).toMatch(/[\\/]digits[\\/][012][\\/]mnist-test-\d+\.png$/);
    const scoreShot = join(OUT, 'own-data-autoencoder-score.png');
    await page.screenshot({ path: scoreShot });
    expect(await imageStdev(scoreShot), 'screenshot is not blank').toBeGreaterThan(12);

    // Train → fine-tune offers the same folder (and the IDX file); training from scratch only folders.
    await page.getByTestId('ae-section-train').click();
    const trainPick = page.getByTestId('ae-train-own-data-select');
    await expect(trainPick.locator('option:not([disabled])')).toHaveCount(1);
    await page.getByTestId('ae-train-mode-finetune').check();
    await expect(trainPick.locator('option:not([disabled])')).toHaveCount(2);
    await trainPick.selectOption(join(E2E_DATA_DIR, 'digits'));
    await expect(page.getByTestId('ae-train-data').locator('option:checked')).toHaveText('Your data: digits');
    await page.getByTestId('ae-train-steps').fill('2');
    await page.getByTestId('ae-train-run').click();
    const trained = page.getByTestId('ae-train-result');
    await expect(trained).toHaveAttribute('data-mode', 'finetune', { timeout: 120_000 });
    await expect(trained).toHaveAttribute('data-steps', '2');
    await expect(page.getByTestId('ae-train-save')).toHaveAttribute('download', 'autoencoder-mnist-finetuned-digits.onnx');
    await page.screenshot({ path: join(OUT, 'own-data-autoencoder-train.png') });

    expect(errors, 'no page errors or CSP violations').toEqual([]);
    await page.close();
  });
});
