import { describe, expect, it } from 'vitest';
import { readDicom, DicomError } from '../../core/dicom/read.ts';
import { displayImage, windowValue } from '../../core/dicom/voi.ts';
import { makeDicom } from './make-dicom.ts';

const ramp16 = (n: number, step: number) => Uint16Array.from({ length: n }, (_, i) => i * step);

describe('DICOM reading', () => {
  it('16-bit unsigned: stored values, rescale (modality LUT), pixel spacing, window from the file', async () => {
    const f = await makeDicom({ rows: 4, cols: 5, pixels: ramp16(20, 100), bitsStored: 12, slope: 2, intercept: -100, windows: [{ center: 1000, width: 501 }], pixelSpacing: [0.2, 0.3] });
    const img = await readDicom(f);
    expect([img.rows, img.columns, img.bitsAllocated, img.bitsStored, img.signed]).toEqual([4, 5, 16, 12, false]);
    expect(Array.from(img.stored.slice(0, 4))).toEqual([0, 100, 200, 300]);
    expect(Array.from(img.modality.slice(0, 4))).toEqual([-100, 100, 300, 500]);
    expect(img.pixelSpacing).toEqual([0.2, 0.3]);
    expect(img.windows[0]).toMatchObject({ center: 1000, width: 501, fn: 'LINEAR' });
    const d = displayImage(img);
    // LINEAR, C=1000, W=501: x ≤ 749.5 → 0; x > 1249.5 → 1; else (x − 999.5)/500 + 0.5.
    for (let i = 0; i < 20; i++) {
      const x = i * 100 * 2 - 100;
      const want = x <= 749.5 ? 0 : x > 1249.5 ? 1 : (x - 999.5) / 500 + 0.5;
      expect(d.data[i]).toBeCloseTo(want, 6);
    }
  });

  it('16-bit signed with BitsStored 12: sign extension from bit 11', async () => {
    // -5 stored in 12 bits is 0xFFB; the upper 4 bits may hold garbage in the file.
    const px = new Int16Array([-5, 2047, -2048, 0]);
    const f = await makeDicom({ rows: 2, cols: 2, pixels: px, bitsStored: 12 });
    const img = await readDicom(f);
    expect(img.signed).toBe(true);
    expect(Array.from(img.stored)).toEqual([-5, 2047, -2048, 0]);
  });

  it('8-bit MONOCHROME1 is inverted for display', async () => {
    const f = await makeDicom({ rows: 1, cols: 4, pixels: new Uint8Array([0, 85, 170, 255]), photometric: 'MONOCHROME1' });
    const d = displayImage(await readDicom(f), { kind: 'window', window: { center: 128, width: 256, fn: 'LINEAR_EXACT' } });
    // LINEAR_EXACT: y = (x − 128)/256 + 0.5 clamped; then 1 − y.
    expect(Array.from(d.data).map((v) => +v.toFixed(4))).toEqual([0, 85, 170, 255].map((x) => +(1 - Math.min(1, Math.max(0, (x - 128) / 256 + 0.5))).toFixed(4)));
  });

  it('SIGMOID VOI function from the file', async () => {
    const f = await makeDicom({ rows: 1, cols: 3, pixels: new Uint16Array([400, 500, 600]), windows: [{ center: 500, width: 200 }], voiFunction: 'SIGMOID' });
    const d = displayImage(await readDicom(f));
    expect(d.data[1]).toBeCloseTo(0.5, 6);
    expect(d.data[2]).toBeCloseTo(1 / (1 + Math.exp(-2)), 6);
    expect(d.data[0]! + d.data[2]!).toBeCloseTo(1, 6);
  });

  it('VOI LUT table', async () => {
    const f = await makeDicom({ rows: 1, cols: 4, pixels: new Uint16Array([0, 10, 11, 50]), voiLut: { first: 10, bits: 8, data: [0, 255] } });
    const img = await readDicom(f);
    expect(img.voiLuts).toHaveLength(1);
    const d = displayImage(img, { kind: 'lut' });
    expect(Array.from(d.data)).toEqual([0, 0, 1, 1]);
  });

  it.each(['RleLossless', 'JpegLosslessProcess14V1', 'JpegLsLossless', 'Jpeg2000Lossless', 'HtJpeg2000Lossless'] as const)(
    'compressed transfer syntax %s decodes to the same pixels', async (ts) => {
      const px = Uint16Array.from({ length: 64 * 48 }, (_, i) => (i * 37) % 4096);
      const f = await makeDicom({ rows: 48, cols: 64, pixels: px, bitsStored: 12, transferSyntax: ts });
      const img = await readDicom(f);
      expect(img.transferSyntax).not.toBe('1.2.840.10008.1.2.1');
      expect(Array.from(img.stored)).toEqual(Array.from(px));
    });

  it('JPEG baseline (lossy, 8-bit) decodes close to the original', async () => {
    const px = Uint8Array.from({ length: 32 * 32 }, (_, i) => 64 + ((i >> 5) * 4));
    const f = await makeDicom({ rows: 32, cols: 32, pixels: px, transferSyntax: 'JpegBaselineProcess1' });
    const img = await readDicom(f);
    let err = 0;
    for (let i = 0; i < px.length; i++) err = Math.max(err, Math.abs(img.stored[i]! - px[i]!));
    expect(err).toBeLessThan(12);
  });
});

describe('bad DICOM files get clear errors', () => {
  it('not DICOM', async () => {
    await expect(readDicom(new Uint8Array(300))).rejects.toThrow(/not a DICOM Part 10 file/);
    await expect(readDicom(new Uint8Array(10))).rejects.toBeInstanceOf(DicomError);
  });
  it('truncated pixel data', async () => {
    const f = await makeDicom({ rows: 64, cols: 64, pixels: ramp16(64 * 64, 1) });
    const cut = f.subarray(0, f.length - 3000);
    const err = await readDicom(cut).catch((e: unknown) => e as DicomError);
    expect(err).toBeInstanceOf(DicomError);
    expect(['truncated', 'malformed']).toContain((err as DicomError).code);
  });
  it('wrong lengths in the header (Rows larger than the data)', async () => {
    const f = await makeDicom({ rows: 8, cols: 8, pixels: ramp16(64, 1) });
    // Patch Rows (0028,0010, US, explicit VR LE) from 8 to 200.
    const tag = [0x28, 0x00, 0x10, 0x00, 0x55, 0x53, 0x02, 0x00];
    const at = f.findIndex((_, i) => tag.every((b, k) => f[i + k] === b));
    expect(at).toBeGreaterThan(0);
    f[at + 8] = 200;
    await expect(readDicom(f)).rejects.toThrow(/pixel data holds 128 bytes/);
  });
  it('random garbage after the marker', async () => {
    const f = new Uint8Array(2000);
    for (let i = 0; i < f.length; i++) f[i] = (i * 131 + 7) & 255;
    f.set([0x44, 0x49, 0x43, 0x4d], 128);
    await expect(readDicom(f)).rejects.toBeInstanceOf(DicomError);
  });
});

describe('window functions (PS3.3 C.11.2.1.2)', () => {
  it('LINEAR boundaries', () => {
    const w = { center: 2048, width: 4096, fn: 'LINEAR' as const };
    expect(windowValue(0, w)).toBe(0);
    expect(windowValue(4095, w)).toBe(1);
    expect(windowValue(2047.5, w)).toBeCloseTo(0.5, 9);
  });
});
