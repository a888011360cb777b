// The Review tab end to end: create a workspace in the browser host's workspaces folder, import a
// folder of images, judge cases from the keyboard, reload and reopen (verdicts persist), a second
// reviewer, Cohen's kappa against a hand count, and a CSV export holding the verdicts.
// This spec starts its own host: the review methods need RECEPTIVE_WORKSPACES_DIR, and the recent
// list goes to a throwaway XDG_CONFIG_HOME so the user's own list is never touched.
import { test, expect, type Page } from '@playwright/test';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Workspace } from '../../core/store/workspace.ts';
import { decodeFrame, encodeFrame } from '../../electron/api/wire.ts';
import { ROOT, startHost, type HostProcess } from './host-process.ts';
import { imageStdev, watchErrors } from './view-helpers.ts';
import { makeDicom } from '../dicom/make-dicom.ts';

const OUT = join(ROOT, 'tests', 'output');
let dir = '';
let host: HostProcess | null = null;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'receptive-review-'));
  // Six MNIST digits in two class folders: the folder names become the labels.
  for (let d = 0; d < 6; d++) {
    const cls = join(dir, 'cases', d % 2 === 0 ? 'even' : 'odd');
    mkdirSync(cls, { recursive: true });
    copyFileSync(join(ROOT, 'resources', 'samples', `mnist-${d}.png`), join(cls, `digit-${d}.png`));
  }
  const saved = { ws: process.env.RECEPTIVE_WORKSPACES_DIR, xdg: process.env.XDG_CONFIG_HOME };
  process.env.RECEPTIVE_WORKSPACES_DIR = dir;
  process.env.XDG_CONFIG_HOME = join(dir, 'config');
  try { host = await startHost(); } finally {
    if (saved.ws === undefined) delete process.env.RECEPTIVE_WORKSPACES_DIR; else process.env.RECEPTIVE_WORKSPACES_DIR = saved.ws;
    if (saved.xdg === undefined) delete process.env.XDG_CONFIG_HOME; else process.env.XDG_CONFIG_HOME = saved.xdg;
  }
});

test.afterAll(async () => {
  await host?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function openReviewTab(page: Page): Promise<void> {
  await page.goto(host!.url);
  await page.getByRole('tab', { name: 'Review' }).click();
  await expect(page.getByTestId('review-view')).toBeVisible();
}

/** Keys go to the page, not to a field that kept the focus after a click. */
async function blur(page: Page): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
}

async function setReviewer(page: Page, name: string): Promise<void> {
  const input = page.getByTestId('review-reviewer');
  await input.fill(name);
  await input.press('Enter');
  await blur(page);
}

/** Give a verdict with its key and wait until the host confirmed it (status "saved"). */
async function judge(page: Page, key: string, verdict: string): Promise<void> {
  const key0 = await page.getByTestId('case-key').textContent();
  await page.keyboard.press(key);
  const status = page.getByTestId('verdict-status');
  await expect(status).toHaveAttribute('data-state', 'saved');
  await expect(status).toHaveAttribute('data-verdict', verdict);
  expect(await page.getByTestId('case-key').textContent()).toBe(key0);
}

async function next(page: Page, expectedKey: string): Promise<void> {
  await page.keyboard.press('j');
  await expect(page.getByTestId('case-key')).toHaveText(expectedKey);
}

async function rowVerdicts(page: Page): Promise<string[]> {
  return page.getByTestId('case-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-verdict') ?? ''));
}

async function shot(page: Page, name: string): Promise<void> {
  const path = join(OUT, `review-${name}.png`);
  await page.screenshot({ path });
  expect(await imageStdev(path)).toBeGreaterThan(8);
}

const KEYS = ['even/digit-0.png', 'even/digit-2.png', 'even/digit-4.png', 'odd/digit-1.png', 'odd/digit-3.png', 'odd/digit-5.png'];

test('create, import, review by keyboard, reopen after reload, two reviewers, kappa, CSV export', async ({ page }) => {
  const errors = watchErrors(page);
  await page.setViewportSize({ width: 1440, height: 900 });
  // A failing disk, simulated on the wire: while `refuse` is set, giveVerdict answers with an error.
  let refuse = false;
  await page.routeWebSocket(/\/ws/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((m) => {
      if (refuse && typeof m !== 'string') {
        const f = decodeFrame(new Uint8Array(m));
        if (f.kind === 'request' && f.method === 'giveVerdict') {
          ws.send(Buffer.from(encodeFrame({ kind: 'response', id: f.id, ok: false, error: { code: 'internal', message: 'disk I/O error (simulated)' } })));
          return;
        }
      }
      server.send(m);
    });
    server.onMessage((m) => ws.send(m));
  });
  await openReviewTab(page);

  // Create the workspace (no file dialog here: a path inside the workspaces folder) and import.
  await setReviewer(page, 'alice');
  await page.getByTestId('review-new').click();
  await page.getByTestId('review-path').fill('team.rcpt');
  await page.getByTestId('review-path-ok').click();
  await expect(page.getByTestId('review-message')).toContainText('Created');
  await page.getByTestId('review-import').click();
  await page.getByTestId('review-path').fill('cases');
  await page.getByTestId('review-path-ok').click();
  await expect(page.getByTestId('review-message')).toContainText('Imported 6 cases');
  await expect(page.getByTestId('review-count')).toContainText('6 cases');
  await expect(page.getByTestId('case-row')).toHaveCount(6);
  await expect(page.getByTestId('review-progress')).toContainText('0 of 6 reviewed by alice');

  // A stored heatmap for every case, written the way a batch run does (another connection to the
  // same WAL file): a 7×7 map peaking in the top-left corner.
  const file = join(dir, 'team.rcpt');
  {
    const ws = Workspace.open(file);
    const runId = ws.startRun({ method: 'gradcam', settings: {}, provider: 'cpu' });
    const map = new Float32Array(49).map((_, i) => 12 - (Math.floor(i / 7) + (i % 7)));
    for (const c of ws.listCases()) ws.putResult({ runId, caseId: c.id, map: { dtype: 'float32', dims: [7, 7], data: map } });
    ws.finishRun(runId, { totalMs: 1 });
    ws.close();
  }

  // Keyboard only: alice judges the first four cases: on, on, off, artifact (+ a note on the 4th).
  await blur(page);
  await expect(page.getByTestId('case-key')).toHaveText(KEYS[0]!);
  await judge(page, '1', 'on-target');
  await next(page, KEYS[1]!);
  await judge(page, '1', 'on-target');
  await next(page, KEYS[2]!);
  await judge(page, '2', 'off-target');
  await next(page, KEYS[3]!);
  await judge(page, '3', 'artifact');
  await page.keyboard.press('n');
  await expect(page.getByTestId('review-note')).toBeFocused();
  await page.keyboard.type('ruler marker in the corner');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('review-note')).not.toBeFocused();
  await expect(page.getByTestId('verdict-status')).toHaveAttribute('data-state', 'saved');
  await expect(page.getByTestId('note-save')).toBeDisabled();
  await page.keyboard.press('k');
  await expect(page.getByTestId('case-key')).toHaveText(KEYS[2]!);
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('case-key')).toHaveText(KEYS[3]!);
  await expect(page.getByTestId('review-progress')).toContainText('4 of 6 reviewed by alice');

  // A refused save: shown as not saved, the verdict and note stay pending; Retry saves them.
  await next(page, KEYS[4]!);
  refuse = true;
  await page.keyboard.press('n');
  await page.keyboard.type('faint');
  await page.keyboard.press('Escape');
  await page.keyboard.press('4');
  const status = page.getByTestId('verdict-status');
  await expect(status).toHaveAttribute('data-state', 'failed');
  await expect(status).toHaveAttribute('data-verdict', 'unsure');
  await expect(status).toContainText('disk I/O error (simulated)');
  await expect(page.getByTestId('review-progress')).toContainText('4 of 6 reviewed by alice');
  await expect(page.getByTestId('review-note')).toHaveValue('faint');
  await shot(page, 'failed-save');
  refuse = false;
  await page.getByTestId('verdict-retry').click();
  await expect(status).toHaveAttribute('data-state', 'saved');
  await expect(status).toHaveAttribute('data-verdict', 'unsure');
  await expect(page.getByTestId('review-progress')).toContainText('5 of 6 reviewed by alice');

  // A note typed but not saved survives moving away and back (kept as a draft).
  await next(page, KEYS[5]!);
  await page.keyboard.press('n');
  await page.keyboard.type('half-written');
  await page.keyboard.press('Escape');
  await page.keyboard.press('k');
  await expect(page.getByTestId('case-key')).toHaveText(KEYS[4]!);
  await expect(page.getByTestId('review-note')).toHaveValue('faint');
  await next(page, KEYS[5]!);
  await expect(page.getByTestId('review-note')).toHaveValue('half-written');
  await expect(page.getByTestId('verdict-status')).toHaveAttribute('data-state', 'none');

  // Reload: the reviewer name is remembered; reopen from the recent list: the verdicts are there.
  await openReviewTab(page);
  await expect(page.getByTestId('review-reviewer')).toHaveValue('alice');
  const recent = page.getByTestId('review-recent');
  await recent.focus();
  await expect(recent.locator('option')).toHaveCount(2);
  const path = await recent.locator('option').nth(1).getAttribute('value');
  expect(path).toMatch(/team\.rcpt$/);
  await recent.selectOption(path!);
  await expect(page.getByTestId('case-row')).toHaveCount(6);
  expect(await rowVerdicts(page)).toEqual(['on-target', 'on-target', 'off-target', 'artifact', 'unsure', '']);
  await expect(page.getByTestId('review-progress')).toContainText('5 of 6 reviewed by alice');
  await page.getByTestId('case-row').nth(3).click();
  await expect(page.getByTestId('review-note')).toHaveValue('ruler marker in the corner');
  await expect(page.getByTestId('case-overlay')).toHaveCount(1);
  await expect(page.getByTestId('case-image')).toBeVisible();
  await shot(page, 'case');

  // Windowing: a drag to the left narrows the window (more contrast).
  const img = page.getByTestId('case-image');
  const box = (await img.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 - 100, box.y + box.height / 2, { steps: 4 });
  await page.mouse.up();
  await expect(img).toHaveAttribute('data-window', '128/155');

  // Filters: "not reviewed" by alice leaves the one untouched case; then back to all.
  await page.getByTestId('filter-reviewer').selectOption('alice');
  await page.getByTestId('filter-verdict').selectOption('__none__');
  await expect(page.getByTestId('case-row')).toHaveCount(1);
  await page.getByTestId('filter-verdict').selectOption('on-target');
  await expect(page.getByTestId('case-row')).toHaveCount(2);
  await page.getByTestId('filter-verdict').selectOption('');
  await page.getByTestId('filter-reviewer').selectOption('');
  await page.getByTestId('filter-label').fill('odd');
  await expect(page.getByTestId('case-row')).toHaveCount(3);
  await page.getByTestId('filter-label').fill('');
  await expect(page.getByTestId('case-row')).toHaveCount(6);

  // Bob: on, off, off, artifact on the same four cases.
  await setReviewer(page, 'bob');
  await page.getByTestId('case-row').nth(0).click();
  await blur(page);
  await expect(page.getByTestId('case-key')).toHaveText(KEYS[0]!);
  await judge(page, '1', 'on-target');
  await next(page, KEYS[1]!);
  await judge(page, '2', 'off-target');
  await next(page, KEYS[2]!);
  await judge(page, '2', 'off-target');
  await next(page, KEYS[3]!);
  await judge(page, '3', 'artifact');
  await expect(page.getByTestId('review-progress')).toContainText('4 of 6 reviewed by bob');

  // Kappa by hand: agree on 3 of 4 (po = 3/4); alice on 2/off 1/art 1, bob on 1/off 2/art 1:
  // pe = (2·1 + 1·2 + 1·1)/16 = 5/16; κ = (3/4 − 5/16)/(1 − 5/16) = 7/11.
  await page.getByTestId('agree-a').selectOption('alice');
  await page.getByTestId('agree-b').selectOption('bob');
  await page.getByTestId('agree-go').click();
  const kappa = page.getByTestId('agree-kappa');
  await expect(kappa).toHaveAttribute('data-n', '4');
  expect(Number(await kappa.getAttribute('data-kappa'))).toBeCloseTo(7 / 11, 9);
  await expect(kappa).toContainText('0.636');
  // Labels sorted: artifact, off-target, on-target; rows alice, columns bob.
  const cells = await page.getByTestId('agree-table').locator('tbody tr').evaluateAll((rows) => rows.map((r) => Array.from(r.querySelectorAll('td')).map((td) => Number(td.textContent))));
  expect(cells).toEqual([[1, 0, 0], [0, 1, 0], [0, 1, 1]]);
  await page.getByTestId('agree-table').scrollIntoViewIfNeeded();
  await shot(page, 'agreement');

  // CSV export: one row per case × reviewer, with the verdicts and alice's note.
  await page.getByTestId('review-format').selectOption('csv');
  await page.getByTestId('review-export').click();
  await page.getByTestId('review-path').fill('report.csv');
  await page.getByTestId('review-path-ok').click();
  await expect(page.getByTestId('review-message')).toContainText('Saved');
  const csv = readFileSync(join(dir, 'report.csv'), 'utf8').trim().split('\r\n').map((l) => l.split(','));
  expect(csv[0]).toEqual(['case', 'label', 'prediction', 'score', 'verdict', 'note', 'reviewer', 'time', 'methods']);
  const got = csv.slice(1).filter((r) => r[6]).map((r) => `${r[0]}|${r[6]}|${r[4]}|${r[5]}`).sort();
  expect(got).toEqual([
    `${KEYS[0]}|alice|on-target|`, `${KEYS[0]}|bob|on-target|`,
    `${KEYS[1]}|alice|on-target|`, `${KEYS[1]}|bob|off-target|`,
    `${KEYS[2]}|alice|off-target|`, `${KEYS[2]}|bob|off-target|`,
    `${KEYS[3]}|alice|artifact|ruler marker in the corner`, `${KEYS[3]}|bob|artifact|`,
    `${KEYS[4]}|alice|unsure|faint`,
  ].sort());

  // HTML names the reviewers; PDF is saved where the host can print, else the host's message shows.
  await page.getByTestId('review-format').selectOption('html');
  await page.getByTestId('review-export').click();
  await expect(page.getByTestId('review-path')).toHaveValue('report.html');
  await page.getByTestId('review-path-ok').click();
  await expect(page.getByTestId('review-message')).toContainText('report.html');
  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  expect(html).toContain('alice');
  expect(html).toContain('ruler marker in the corner');
  await page.getByTestId('review-format').selectOption('pdf');
  await page.getByTestId('review-export').click();
  await page.getByTestId('review-path').fill('report.pdf');
  await page.getByTestId('review-path-ok').click();
  const msg = page.getByTestId('review-message');
  await expect(msg).toContainText(/Saved|failed/, { timeout: 90_000 });
  if ((await msg.textContent())!.includes('Saved')) expect(readFileSync(join(dir, 'report.pdf')).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  else await expect(msg).toHaveClass(/error/);

  expect(errors).toEqual([]);
});

test('a DICOM radiograph: windowing presets and drag, a cropped heatmap overlay, toggle and opacity', async ({ page }) => {
  const errors = watchErrors(page);
  // A synthetic 12-bit chest film (320×384): air, body, darker lungs, spine, and a bright lead
  // marker in the top-left corner (the kind of shortcut a model may learn).
  const W = 320, H = 384;
  const px = new Uint16Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const body = ((x - 160) / 140) ** 2 + ((y - 200) / 175) ** 2 < 1;
    const lung = ((Math.abs(x - 160) - 62) / 42) ** 2 + ((y - 180) / 110) ** 2 < 1;
    const spine = Math.abs(x - 160) < 14 && y > 40;
    const rib = lung && Math.abs(Math.sin(y / 11)) < 0.18;
    const marker = x >= 40 && x < 70 && y >= 60 && y < 90;
    let v = 200 + ((x * 7 + y * 13) % 50);
    if (body) v = 1500;
    if (lung) v = 650 + (y % 7) * 10;
    if (rib) v = 1700;
    if (spine) v = 2600;
    if (marker) v = 4000;
    px[y * W + x] = v;
  }
  mkdirSync(join(dir, 'xray', 'pneumonia'), { recursive: true });
  const dcm = await makeDicom({ rows: H, cols: W, pixels: px, bitsStored: 12, windows: [{ center: 1500, width: 3000 }] });
  writeFileSync(join(dir, 'xray', 'pneumonia', 'chest-001.dcm'), dcm);

  await openReviewTab(page);
  await page.getByTestId('review-new').click();
  await page.getByTestId('review-path').fill('xray.rcpt');
  await page.getByTestId('review-path-ok').click();
  await expect(page.getByTestId('review-message')).toContainText('Created');
  await page.getByTestId('review-import').click();
  await page.getByTestId('review-path').fill('xray');
  await page.getByTestId('review-path-ok').click();
  await expect(page.getByTestId('review-message')).toContainText('Imported 1 case');

  // Two stored maps, recorded with a 256-shorter-side resize and a 224 centre crop: Grad-CAM
  // (14×14, peaked on the marker) and a second method peaked on the right lung.
  {
    const ws = Workspace.open(join(dir, 'xray.rcpt'));
    const c = ws.listCases()[0]!;
    const settings = { preprocessing: { size: [224, 224], resize: 'center-crop', resizeShorter: 256 } };
    const peak = (cx: number, cy: number) => Float32Array.from({ length: 196 }, (_, i) => Math.exp(-(((i % 14) - cx) ** 2 + (Math.floor(i / 14) - cy) ** 2) / 4.5));
    for (const [method, map] of [['gradcam', peak(1.75, 1.2)], ['occlusion', peak(10, 7)]] as const) {
      const runId = ws.startRun({ method, settings, provider: 'cpu' });
      ws.putResult({ runId, caseId: c.id, map: { dtype: 'float32', dims: [1, 1, 14, 14], data: map } });
      ws.finishRun(runId, { totalMs: 1 });
    }
    ws.close();
  }
  await page.getByTestId('case-row').first().click();
  await expect(page.getByTestId('case-overlay')).toHaveCount(2);
  const img = page.getByTestId('case-image');
  await expect(img).toBeVisible();

  // Presets and drag change the window the canvas is drawn with.
  await page.getByRole('button', { name: 'Contrast' }).click();
  await expect(img).toHaveAttribute('data-window', '128/128');
  const box = (await img.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 60, box.y + box.height / 2 + 20, { steps: 3 });
  await page.mouse.up();
  await expect(img).toHaveAttribute('data-window', '108/188');
  await img.dblclick();
  await expect(img).toHaveAttribute('data-window', '128/255');

  // Method toggle hides one overlay; opacity sets the overlay's CSS opacity.
  await page.locator('[data-testid="method-toggle"][data-method="occlusion"]').uncheck();
  await expect(page.getByTestId('case-overlay')).toHaveCount(1);
  await expect(page.getByTestId('case-overlay')).toHaveAttribute('data-method', 'gradcam');
  await page.getByTestId('overlay-opacity').fill('0.7');
  await expect(page.getByTestId('case-overlay')).toHaveCSS('opacity', '0.7');
  // The overlay is transparent where the crop cut the image away (its top-left pixel), opaque on the marker.
  const alpha = await page.getByTestId('case-overlay').evaluate((c) => {
    const cv = c as HTMLCanvasElement;
    const ctx = cv.getContext('2d')!;
    const at = (x: number, y: number) => ctx.getImageData(Math.round(x * cv.width / 320), Math.round(y * cv.height / 384), 1, 1).data[3]!;
    return { corner: at(2, 2), marker: at(55, 75), far: at(250, 300) };
  });
  expect(alpha.corner).toBe(0);
  expect(alpha.marker).toBeGreaterThan(200);
  expect(alpha.far).toBeLessThan(30);
  // Without a reviewer name nothing is sent, and the bar says why.
  await blur(page);
  await page.keyboard.press('3');
  await expect(page.getByTestId('review-message')).toContainText('Enter your name');
  await expect(page.getByTestId('verdict-status')).toHaveAttribute('data-state', 'none');
  await setReviewer(page, 'carol');
  await expect(page.getByTestId('review-message')).toHaveCount(0);
  await page.keyboard.press('3');
  await expect(page.getByTestId('verdict-status')).toHaveAttribute('data-state', 'saved');
  await expect(page.getByTestId('review-progress')).toContainText('1 of 1 reviewed by carol');
  await shot(page, 'dicom');
  expect(errors).toEqual([]);
});

test('5000 cases: one DOM row per visible case, paging on scroll, score and prediction filters', async ({ page }) => {
  const errors = watchErrors(page);
  // Built directly in the store (a CSV-style import without image files): score = i / 5000.
  {
    const ws = Workspace.open(join(dir, 'big.rcpt'), { create: true });
    ws.addDataset({ name: 'big', kind: 'csv' }, Array.from({ length: 5000 }, (_, i) => ({
      key: `case-${String(i).padStart(4, '0')}`, label: i % 2 ? 'sick' : 'well', prediction: i % 3 ? 'sick' : 'well', score: i / 5000,
    })));
    ws.close();
  }
  await openReviewTab(page);
  await page.getByTestId('review-open').click();
  await page.getByTestId('review-path').fill('big.rcpt');
  await page.getByTestId('review-path-ok').click();
  await expect(page.getByTestId('review-count')).toContainText('5000 cases');
  await expect(page.getByTestId('case-image-error')).toContainText('no image file');
  const rows = await page.getByTestId('case-row').count();
  expect(rows).toBeGreaterThan(10);
  expect(rows).toBeLessThan(60);
  // Scroll to the end: rows from past the first page (200) arrive and the DOM stays small.
  await page.getByTestId('case-list').evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await expect(page.locator('[data-testid="case-row"] .key', { hasText: 'case-4999' })).toBeVisible();
  expect(await page.getByTestId('case-row').count()).toBeLessThan(60);
  await page.getByTestId('case-list').evaluate((el) => { el.scrollTop = 0; });
  await page.getByTestId('filter-min').fill('0.5');
  await page.getByTestId('filter-max').fill('0.6');
  await expect(page.getByTestId('review-count')).toContainText('501 cases');
  await page.getByTestId('filter-prediction').fill('well');
  // Prediction "well" is i % 3 === 0: 2502, 2505, …, 3000 within [2500, 3000] → 167 cases.
  await expect(page.getByTestId('review-count')).toContainText('167 cases');
  await page.getByTestId('filter-max').fill('x');
  await expect(page.getByTestId('review-message')).toContainText('must be a number');
  expect(errors).toEqual([]);
});
