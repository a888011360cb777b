// loadImageForReview through dispatch: DICOM modality values, windows, MONOCHROME1, pixel spacing;
// 16-bit PNG samples kept at full depth; shipped samples; bad input named.
import { afterAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { dispatch } from '../../electron/api/dispatch.ts';
import { createService } from '../../electron/api/service.ts';
import type { ReviewImage } from '../../electron/api/image-review-contract.ts';
import type { Envelope } from '../../electron/api/methods.ts';
import { makeDicom } from '../dicom/make-dicom.ts';

const service = createService({ host: 'browser' });
afterAll(async () => { await service.close(); });
const call = (params: unknown) => dispatch(service, 'loadImageForReview', params, {});
function ok(r: Envelope): ReviewImage {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.result as ReviewImage;
}

describe('loadImageForReview', () => {
  it('DICOM: modality values after rescale, file windows first, pixel spacing, MONOCHROME1 flag', async () => {
    const rows = 6, cols = 5;
    const pixels = Int16Array.from({ length: rows * cols }, (_, i) => i * 100 - 1000);
    const data = await makeDicom({ rows, cols, pixels, slope: 2, intercept: -24, windows: [{ center: 40, width: 400 }, { center: -600, width: 1500 }], pixelSpacing: [0.5, 0.25], photometric: 'MONOCHROME1' });
    const r = ok(await call({ source: { kind: 'bytes', name: 'chest.dcm', data } }));
    expect(r).toMatchObject({ kind: 'dicom', width: cols, height: rows, step: 1, channels: 1, invert: true, pixelSpacing: [0.5, 0.25], bitDepth: 16, modality: 'DX' });
    expect(r.original).toEqual({ width: cols, height: rows });
    expect(Array.from(r.values)).toEqual(Array.from(pixels, (v) => v * 2 - 24));
    expect(r.range).toEqual({ min: -2024, max: 2 * 1900 - 24 });
    expect(r.windows.slice(0, 2).map((w) => [w.center, w.width])).toEqual([[40, 400], [-600, 1500]]);
    expect(r.windows[2]).toMatchObject({ explanation: 'min–max', width: 3776 - -2024 + 1 });
  });

  it('large DICOM is sampled every step pixels under maxPixels, keeping the original size', async () => {
    // 320×400×2 bytes: beyond the 64 KB budget of plain requests, so this also checks the payload limit.
    const rows = 400, cols = 320;
    const pixels = Uint16Array.from({ length: rows * cols }, (_, i) => i % cols + 10 * Math.floor(i / cols));
    const data = await makeDicom({ rows, cols, pixels });
    expect(data.length).toBeGreaterThan(200_000);
    const r = ok(await call({ source: { kind: 'bytes', name: 'big.dcm', data }, maxPixels: 32_000 }));
    expect(r.step).toBe(Math.ceil(Math.sqrt((rows * cols) / 32_000)));
    expect(r.original).toEqual({ width: 320, height: 400 });
    expect([r.width, r.height]).toEqual([160, 200]);
    // value at grid (x=3, y=2) = original (6, 4)
    expect(r.values[2 * r.width + 3]).toBe(6 + 10 * 4);
    expect(r.invert).toBe(false);
  });

  it('16-bit PNG keeps its samples; 8-bit range window is offered', async () => {
    const w = 4, h = 3;
    const samples = Uint16Array.from({ length: w * h }, (_, i) => i * 5000 + 7);
    const png = await sharp(samples, { raw: { width: w, height: h, channels: 1 } }).toColourspace('grey16').png().toBuffer();
    const r = ok(await call({ source: { kind: 'bytes', name: 'deep.png', data: new Uint8Array(png) } }));
    expect(r).toMatchObject({ kind: 'image', bitDepth: 16, channels: 1, width: w, height: h });
    expect(Array.from(r.values)).toEqual(Array.from(samples));
    expect(r.windows.at(-1)).toMatchObject({ center: 32768, width: 65536 });
  });

  it('a shipped MNIST sample is its 28×28 8-bit pixels', async () => {
    const r = ok(await call({ source: { kind: 'sample', dataset: 'mnist-test', index: 0 } }));
    expect([r.width, r.height, r.kind]).toEqual([28, 28, 'sample']);
    expect(r.range).toEqual({ min: 0, max: 255 });
    expect(Math.max(...r.values)).toBeGreaterThan(200);
  });

  it('bad bytes and ungranted paths get clear errors', async () => {
    const bad = await call({ source: { kind: 'bytes', name: 'notes.txt', data: new TextEncoder().encode('hello there, not an image') } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatchObject({ code: 'invalid-request', message: expect.stringMatching(/notes\.txt: not an image or DICOM/) });
    const trunc = await makeDicom({ rows: 8, cols: 8, pixels: new Uint16Array(64) });
    const t = await call({ source: { kind: 'bytes', name: 't.dcm', data: trunc.subarray(0, trunc.length - 40) } });
    expect(t.ok).toBe(false);
    if (!t.ok) expect(t.error.message).toMatch(/t\.dcm: .*truncated/);
    const p = await call({ source: { kind: 'path', path: '/etc/passwd' } });
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.error.code).toBe('forbidden');
  });
});
