// The heatmaps view's pure helpers: the .npy writer (read back by core's reader), marching squares
// (crossings at the interpolated positions, closed loop around a peak), ranges, scale bars.
import { describe, expect, it } from 'vitest';
import { encodeNpyFloat32 } from '../../renderer/src/lib/npy-writer.ts';
import { contourSegments, parseLevels } from '../../renderer/src/lib/marching-squares.ts';
import { mapRange, normalizeValue, scaleBarMm, unionRange } from '../../renderer/src/lib/saliency-display.ts';
import { decodeNpy } from '../../core/data/npy.ts';

describe('npy writer', () => {
  it('round-trips through core/data/npy with shape and values; header aligned to 64 bytes', () => {
    const data = Float32Array.from({ length: 12 }, (_, i) => i * 0.5 - 2.25);
    const bytes = encodeNpyFloat32(data, [3, 4]);
    const headerLen = bytes[8]! | (bytes[9]! << 8);
    expect((10 + headerLen) % 64).toBe(0);
    expect(bytes.length).toBe(10 + headerLen + 48);
    const back = decodeNpy(bytes, 'x.npy');
    expect(back.dims).toEqual([3, 4]);
    expect(Array.from(back.data)).toEqual(Array.from(data));
    expect(() => encodeNpyFloat32(data, [5, 5])).toThrow(/holds 25 values/);
  });
});

describe('marching squares', () => {
  it('a vertical edge: one segment per row pair at the interpolated x', () => {
    // Columns 0,0,1,1 → level 0.25 crosses between x=1 and x=2 at t = 0.25 → x = 1.5 + 0.25 (centres at +½).
    const w = 4, h = 3, v = Float32Array.from({ length: w * h }, (_, i) => (i % w >= 2 ? 1 : 0));
    const s = contourSegments(v, w, h, 0.25);
    expect(s.length).toBe(4 * (h - 1));
    for (let k = 0; k < s.length; k += 4) { expect(s[k]).toBeCloseTo(1.75); expect(s[k + 2]).toBeCloseTo(1.75); }
  });
  it('a single peak gives a closed diamond of 4 segments with matching endpoints', () => {
    const v = new Float32Array(9); v[4] = 1;
    const s = contourSegments(v, 3, 3, 0.5);
    expect(s.length).toBe(16);
    const pts = new Map<string, number>();
    for (let k = 0; k < s.length; k += 2) { const key = `${s[k]!.toFixed(3)},${s[k + 1]!.toFixed(3)}`; pts.set(key, (pts.get(key) ?? 0) + 1); }
    expect([...pts.values()]).toEqual([2, 2, 2, 2]); // each vertex shared by two segments: closed
    expect([...pts.keys()].sort()).toEqual(['1.000,1.500', '1.500,1.000', '1.500,2.000', '2.000,1.500']);
  });
  it('flat maps have no contour; levels parse and sort', () => {
    expect(contourSegments(new Float32Array(16).fill(0.3), 4, 4, 0.5).length).toBe(0);
    expect(parseLevels('0.8, 0.5 2 x 0.5')).toEqual([0.5, 0.8]);
  });
});

describe('ranges', () => {
  it('signed maps are symmetric; union and normalisation', () => {
    expect(mapRange([-1, 3, 2], true)).toEqual({ lo: -3, hi: 3 });
    expect(mapRange([-1, 3, 2], false)).toEqual({ lo: -1, hi: 3 });
    expect(unionRange({ lo: 0, hi: 2 }, { lo: -1, hi: 1 })).toEqual({ lo: -1, hi: 2 });
    expect(normalizeValue(1, { lo: -1, hi: 3 })).toBe(0.5);
    expect(normalizeValue(5, { lo: 2, hi: 2 })).toBe(0);
    expect(scaleBarMm(430)).toBe(100);
    expect(scaleBarMm(7)).toBe(1);
  });
});

describe('windowed display', () => {
  it('matches core/dicom displayImage (window, MONOCHROME1) to within one gray level', async () => {
    // Node has no ImageData; the helper only needs width, height and an RGBA buffer.
    const g = globalThis as { ImageData?: unknown };
    g.ImageData ??= class { data: Uint8ClampedArray; constructor(public width: number, public height: number) { this.data = new Uint8ClampedArray(width * height * 4); } };
    const { windowedImage } = await import('../../renderer/src/lib/saliency-display.ts');
    const { makeDicom } = await import('../dicom/make-dicom.ts');
    const { readDicom } = await import('../../core/dicom/read.ts');
    const { displayImage } = await import('../../core/dicom/voi.ts');
    const pixels = Int16Array.from({ length: 64 * 32 }, (_, i) => (i * 37) % 4000 - 1500);
    for (const photometric of ['MONOCHROME2', 'MONOCHROME1'] as const) {
      for (const voiFunction of ['LINEAR', 'SIGMOID'] as const) {
        const d = await readDicom(await makeDicom({ rows: 32, cols: 64, pixels, windows: [{ center: 300, width: 1200 }], photometric, voiFunction }));
        const ref = displayImage(d);
        const img = windowedImage(d.modality, 64, 32, 1, d.windows[0]!, photometric === 'MONOCHROME1');
        let worst = 0;
        for (let i = 0; i < ref.data.length; i++) worst = Math.max(worst, Math.abs(img.data[i * 4]! - 255 * ref.data[i]!));
        expect(worst, `${photometric} ${voiFunction}`).toBeLessThanOrEqual(1.01);
      }
    }
  });
});
