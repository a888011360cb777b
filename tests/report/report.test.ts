import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { Workspace } from '../../core/store/workspace.ts';
import { cohenKappa } from '../../core/store/kappa.ts';
import { csvCell, reportCsv, CSV_HEADER } from '../../core/report/csv.ts';
import { collectReport } from '../../core/report/collect.ts';
import { htmlReport, escapeHtml, reportCsp } from '../../core/report/html.ts';
import { parseCsv, importCases } from '../../core/report/import.ts';
import { exportReport } from '../../core/report/export.ts';
import { mapOnImage } from '../../core/report/heatmap.ts';
import { chromiumPrinter, findChromium } from '../../core/report/pdf.ts';
import { ANA, BEN, FORMULA_NOTE, HOSTILE_NOTE, makeImages, populate } from './fixture.ts';

let dir: string, ws: Workspace;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'receptive-report-'));
  const root = await makeImages(dir);
  ws = Workspace.open(join(dir, 'r.rcpt'), { create: true });
  const imported = importCases(ws, root);
  expect(imported.imported).toBe(6);
  expect(imported.labels).toEqual({ fracture: 3, normal: 3 });
  // Re-create the same cases as a second data set with predictions/scores (importCases gives none).
  const cases = ws.listCases({ datasetId: imported.datasetId }).map((c) => ({ key: c.key, path: c.resolvedPath!, label: c.label! }));
  ws.close();
  rmSync(join(dir, 'r.rcpt'));
  ws = Workspace.open(join(dir, 'r.rcpt'), { create: true });
  populate(ws, root, cases);
});
afterAll(() => { ws.close(); rmSync(dir, { recursive: true, force: true }); });

describe('CSV', () => {
  it('quotes per RFC 4180 and neutralises formula cells', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('=1+2')).toBe("'=1+2");
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-cmd')).toBe("'-cmd");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\t=1')).toBe("'\t=1");
    expect(csvCell('=A1,"x"')).toBe(`"'=A1,""x"""`);
    expect(csvCell(-0.5)).toBe('-0.5'); // numbers stay numbers
    expect(csvCell(null)).toBe('');
    expect(csvCell(NaN)).toBe('');
  });

  it('one row per case × reviewer that reads back to the stored values', () => {
    const text = reportCsv(collectReport(ws));
    expect(text.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(text);
    expect(rows[0]).toEqual([...CSV_HEADER]);
    expect(rows).toHaveLength(1 + 12);
    const body = rows.slice(1);
    const ana = body.filter((r) => r[6] === 'ana'), ben = body.filter((r) => r[6] === 'ben');
    expect(ana.map((r) => r[4])).toEqual(ANA);
    expect(ben.map((r) => r[4])).toEqual(BEN);
    expect(ana[0]![5]).toBe(HOSTILE_NOTE); // quotes, comma and newline survive the round trip
    expect(ben[1]![5]).toBe(`'${FORMULA_NOTE}`);
    expect(body.every((r) => !/^[=+\-@]/.test(r.join('')) || r.every((c) => !/^[=+@]/.test(c)))).toBe(true);
    expect(ana[0]![8]).toBe('gradcam');
    expect(ana.map((r) => Number(r[3]))).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5]);
  });
});

describe('HTML report', () => {
  let html: string;
  beforeAll(async () => { html = await htmlReport(ws, collectReport(ws)); });

  it('has every case, verdict and escaped note, and no raw markup from user text', () => {
    for (const c of ws.listCases()) expect(html).toContain(`id="case-${c.id}"`);
    expect(html).toContain(escapeHtml(HOSTILE_NOTE));
    expect(html).not.toContain('<script');
    expect((html.match(/class="verdict"/g) ?? []).length).toBe(12);
    expect((html.match(/class="verdict">on-target</g) ?? []).length).toBe(ANA.filter((v) => v === 'on-target').length + BEN.filter((v) => v === 'on-target').length);
  });

  it('summary counts, kappa equal to cohenKappa, model hash, run settings and timings', () => {
    const counts = new Map<string, number>();
    for (const v of [...ANA, ...BEN]) counts.set(v, (counts.get(v) ?? 0) + 1);
    for (const [v, n] of counts) expect(html).toContain(`<tr><td>${v}</td><td>${n}</td></tr>`);
    const k = cohenKappa(ANA, BEN).kappa;
    expect(html).toContain(`κ = ${k.toFixed(3)}`);
    expect(html).toContain('a'.repeat(64));
    expect(html).toContain('perCaseMs');
    expect(html).toContain('layer4');
  });

  it('is self-contained: images are data URIs (one base + one overlay per case), no external URL, strict CSP', async () => {
    const srcs = [...html.matchAll(/<img [^>]*src="([^"]*)"/g)].map((m) => m[1]!);
    expect(srcs).toHaveLength(12);
    expect(srcs.every((s) => s.startsWith('data:image/png;base64,'))).toBe(true);
    expect(html).not.toMatch(/(src|href)="(?!data:)/);
    expect(html).not.toMatch(/url\(/);
    expect(html).not.toMatch(/https?:\/\/(?!evil\.example)/); // the only URL is inside the (escaped) note text
    expect(html).toContain(`content="${escapeHtml(reportCsp())}"`);
    expect(reportCsp()).toMatch(/^default-src 'none'; img-src data:; style-src 'sha256-[A-Za-z0-9+/=]+'/);
    // The overlay really is the image with the heatmap: decodes to the case's 32×24 size and differs from the base.
    const dec = async (s: string) => sharp(Buffer.from(s.slice(s.indexOf(',') + 1), 'base64')).raw().toBuffer({ resolveWithObject: true });
    const base = await dec(srcs[0]!), over = await dec(srcs[1]!);
    expect([base.info.width, base.info.height, over.info.width, over.info.height]).toEqual([32, 24, 32, 24]);
    expect(Buffer.compare(base.data, over.data)).not.toBe(0);
  });

  it('heatmap sampling: a map stretched over the image peaks where the map does', () => {
    const map = new Float32Array(49); map[2 * 7 + 5] = 1;
    const v = mapOnImage({ data: map, height: 7, width: 7 }, { width: 70, height: 70 }, { width: 70, height: 70 }, null);
    let best = 0;
    for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
    // Map cell (2, 5) covers pixels 20–29 × 50–59; its centre (24.5, 54.5) falls between pixels.
    expect([Math.floor(best / 70), best % 70]).toEqual([24, 54]);
    expect(v[24 * 70 + 54]).toBeCloseTo(0.95 * 0.95, 5);
    expect(v[25 * 70 + 55]).toBeCloseTo(0.95 * 0.95, 5);
    expect(v[10 * 70 + 10]).toBe(0);
  });

  it('exportReport writes csv and html atomically', async () => {
    const out = join(dir, 'out.csv');
    const r = await exportReport(ws, 'csv', out);
    expect(r.cases).toBe(6);
    expect(readFileSync(out, 'utf8').split('\r\n')[0]).toBe(CSV_HEADER.join(','));
    const h = await exportReport(ws, 'html', join(dir, 'out.html'));
    expect(h.bytes).toBeGreaterThan(1000);
  });

  it.skipIf(!findChromium())('PDF through system Chromium', async () => {
    const pdf = await exportReport(ws, 'pdf', join(dir, 'out.pdf'), { printer: chromiumPrinter() });
    const head = readFileSync(join(dir, 'out.pdf')).subarray(0, 5).toString('latin1');
    expect(head).toBe('%PDF-');
    expect(pdf.bytes).toBeGreaterThan(5000);
    expect(existsSync(join(dir, 'out.pdf'))).toBe(true);
  }, 60_000);
});

describe('PDF printing setup (Electron print window, unit-testable parts)', () => {
  it('the print window is sandboxed, isolated, without Node or JavaScript, in its own session', async () => {
    const { printWindowPreferences, printRequestAllowed, electronPdfOptions, PRINT_PARTITION } = await import('../../core/report/pdf.ts');
    const p = printWindowPreferences();
    expect(p).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: false, webSecurity: true, devTools: false, partition: PRINT_PARTITION });
    expect(PRINT_PARTITION.startsWith('persist:')).toBe(false);
    const url = 'file:///tmp/receptive-print-x/report.html';
    expect(printRequestAllowed(url, url)).toBe(true);
    expect(printRequestAllowed('data:image/png;base64,AAAA', url)).toBe(true);
    for (const bad of ['https://example.com/x.png', 'file:///etc/passwd', 'file:///tmp/receptive-print-x/other.html']) expect(printRequestAllowed(bad, url)).toBe(false);
    expect(electronPdfOptions()).toEqual({ pageSize: 'A4', printBackground: true, margins: { top: 1 / 2.54, bottom: 1 / 2.54, left: 1 / 2.54, right: 1 / 2.54 } });
  });

  it('without Chromium, PDF export says what to do instead', async () => {
    const { chromiumPrinter, PdfUnavailableError } = await import('../../core/report/pdf.ts');
    await expect(chromiumPrinter(null)('<p>x</p>')).rejects.toBeInstanceOf(PdfUnavailableError);
    await expect(chromiumPrinter(null)('<p>x</p>')).rejects.toThrow(/RECEPTIVE_CHROMIUM|export HTML/);
  });
});
