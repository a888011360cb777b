import { describe, expect, it } from 'vitest';
import { anomalyScore, errorMap, gaussianBlur, ssimMap, type Plane } from '../../core/anomaly/error-map.ts';

const plane = (h: number, w: number, f: (y: number, x: number) => number): Plane => {
  const d = new Float32Array(h * w);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) d[y * w + x] = f(y, x);
  return { data: d, height: h, width: w };
};

describe('error maps and scores', () => {
  it('L1 and L2 per pixel', () => {
    const a = plane(2, 2, (y, x) => y * 2 + x), b = plane(2, 2, () => 1);
    expect(Array.from(errorMap(a, b, 'l1').data)).toEqual([1, 0, 1, 2]);
    expect(Array.from(errorMap(a, b, 'l2').data)).toEqual([1, 0, 1, 4]);
    expect(anomalyScore(a, b, 'mean', { error: 'l2' })).toBeCloseTo(1.5);
  });
  it('SSIM is 1 for identical images and matches the closed form for constant images', () => {
    const a = plane(16, 16, (y, x) => ((x * 7 + y * 3) % 11) / 10);
    for (const v of ssimMap(a, a).data) expect(v).toBeCloseTo(1, 5);
    // Constant images μx = p, μy = q, no variance: SSIM = (2pq + C1) / (p² + q² + C1).
    const p = 0.2, q = 0.6, c1 = 1e-4;
    const s = ssimMap(plane(12, 12, () => p), plane(12, 12, () => q)).data;
    for (const v of s) expect(v).toBeCloseTo((2 * p * q + c1) / (p * p + q * q + c1), 4);
  });
  it('Gaussian blur keeps the mean of a constant plane and spreads an impulse symmetrically', () => {
    const c = gaussianBlur(plane(9, 9, () => 3), 1.2);
    for (const v of c.data) expect(v).toBeCloseTo(3, 5);
    const imp = gaussianBlur(plane(9, 9, (y, x) => (y === 4 && x === 4 ? 1 : 0)), 1);
    expect(imp.data[4 * 9 + 3]).toBeCloseTo(imp.data[4 * 9 + 5]!, 7);
    expect(imp.data[3 * 9 + 4]).toBeCloseTo(imp.data[5 * 9 + 4]!, 7);
    expect(imp.data[4 * 9 + 4]!).toBeGreaterThan(imp.data[4 * 9 + 5]!);
  });
  it('max of the smoothed error ranks a localised defect above spread-out noise of equal mean', () => {
    const base = plane(20, 20, () => 0.5);
    const spot = plane(20, 20, (y, x) => (y >= 8 && y < 12 && x >= 8 && x < 12 ? 1.5 : 0.5)); // 16 px off by 1
    const noise = plane(20, 20, (y, x) => 0.5 + ((y * 20 + x) % 25 === 0 ? 1 : 0)); // 16 px off by 1, scattered
    expect(anomalyScore(base, spot, 'mean')).toBeCloseTo(anomalyScore(base, noise, 'mean'), 6);
    expect(anomalyScore(base, spot, 'max-smoothed')).toBeGreaterThan(2 * anomalyScore(base, noise, 'max-smoothed'));
  });
  it('mismatched sizes are a clear error', () => {
    expect(() => errorMap(plane(2, 2, () => 0), plane(3, 2, () => 0), 'l1')).toThrow(/2×2.*3×2/);
  });
});
