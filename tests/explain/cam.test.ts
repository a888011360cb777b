// CAM formulas, upsampling and geometry, checked against hand computations.
import { describe, expect, it } from 'vitest';
import { gradCam, gradCamPlusPlus, xGradCam, hiResCam, layerCam, eigenCam } from '../../core/explain/cam.ts';
import { resizeBilinear, mapToOriginal, normalizeSaliency } from '../../core/explain/resize.ts';
import { planGeometry, toOriginal } from '../../core/data/image.ts';

// Two channels on a 1×3 grid.
const act = Float32Array.from([1, 2, 3, /* ch1 */ 4, 0, 2]);
const grad = Float32Array.from([0.5, -1, 2, /* ch1 */ -0.5, 1, 0]);
const maps = { act, grad, channels: 2, height: 1, width: 3 };
const relu = (v: number) => Math.max(0, v);

describe('CAM formulas', () => {
  it('Grad-CAM: α = spatial mean of the gradient', () => {
    const a0 = (0.5 - 1 + 2) / 3, a1 = (-0.5 + 1 + 0) / 3;
    const want = [0, 1, 2].map((i) => relu(a0 * act[i]! + a1 * act[3 + i]!));
    expect(Array.from(gradCam(maps))).toEqual(want.map((v) => expect.closeTo(v, 6)));
  });
  it('HiResCAM and LayerCAM: element-wise products', () => {
    expect(Array.from(hiResCam(maps))).toEqual([relu(0.5 * 1 - 0.5 * 4), relu(-2 + 0), relu(6 + 0)].map((v) => expect.closeTo(v, 6)));
    expect(Array.from(layerCam(maps))).toEqual([0.5 * 1, 0 + 1 * 0, 2 * 3].map((v) => expect.closeTo(v, 6)));
  });
  it('XGrad-CAM: α_k = Σ A·g / Σ A', () => {
    const a0 = (0.5 - 2 + 6) / 6, a1 = (-2 + 0 + 0) / 6;
    expect(Array.from(xGradCam(maps))).toEqual([0, 1, 2].map((i) => expect.closeTo(relu(a0 * act[i]! + a1 * act[3 + i]!), 5)));
  });
  it('Grad-CAM++: closed-form weights with exponential score', () => {
    const w = (A: number[], g: number[]) => {
      const s = A.reduce((x, y) => x + y, 0);
      return g.reduce((acc, gi) => (gi === 0 ? acc : acc + (gi * gi / (2 * gi * gi + s * gi ** 3 + 1e-7)) * relu(gi)), 0);
    };
    const a0 = w([1, 2, 3], [0.5, -1, 2]), a1 = w([4, 0, 2], [-0.5, 1, 0]);
    expect(Array.from(gradCamPlusPlus(maps))).toEqual([0, 1, 2].map((i) => expect.closeTo(relu(a0 * act[i]! + a1 * act[3 + i]!), 5)));
  });
  it('Eigen-CAM equals the projection on the first principal direction (2 channels, closed form)', () => {
    const hw = 12;
    const a = new Float32Array(2 * hw);
    for (let i = 0; i < hw; i++) { a[i] = Math.sin(i) + 2; a[hw + i] = 0.5 * Math.sin(i) + 0.3 * Math.cos(3 * i) + 1; }
    // Centre per channel, covariance C = XᵀX (2×2), top eigenvector by the closed form.
    const m0 = a.slice(0, hw).reduce((s, v) => s + v, 0) / hw, m1 = a.slice(hw).reduce((s, v) => s + v, 0) / hw;
    const x0 = Array.from({ length: hw }, (_, i) => a[i]! - m0), x1 = Array.from({ length: hw }, (_, i) => a[hw + i]! - m1);
    const c00 = x0.reduce((s, v) => s + v * v, 0), c11 = x1.reduce((s, v) => s + v * v, 0), c01 = x0.reduce((s, v, i) => s + v * x1[i]!, 0);
    const lambda = (c00 + c11) / 2 + Math.sqrt(((c00 - c11) / 2) ** 2 + c01 * c01);
    let v0 = c01, v1 = lambda - c00;
    const n = Math.hypot(v0, v1); v0 /= n; v1 /= n;
    let proj = x0.map((v, i) => v * v0 + x1[i]! * v1);
    // sign: positive correlation with the channel sum
    const corr = proj.reduce((s, p, i) => s + p * (a[i]! + a[hw + i]!), 0);
    if (corr < 0) proj = proj.map((p) => -p);
    const got = eigenCam({ act: a, channels: 2, height: 3, width: 4 });
    expect(Array.from(got)).toEqual(proj.map((p) => expect.closeTo(relu(p), 4)));
  });
});

describe('upsampling and geometry', () => {
  it('bilinear with half-pixel centres (as cv2.resize / align_corners=False)', () => {
    const up = resizeBilinear([0, 4], 1, 2, 1, 4);
    expect(Array.from(up)).toEqual([0, 1, 3, 4]);
    expect(Array.from(resizeBilinear([7], 1, 1, 3, 3))).toEqual(new Array(9).fill(7));
  });
  it('maps at input resolution land on the original pixels they came from (center-crop)', () => {
    const g = planGeometry(80, 60, { size: [32, 32], resize: 'center-crop', resizeShorter: 40 });
    // resized 53×40, crop 32×32 at (10, 4)
    expect(g.crop).toEqual({ left: 10, top: 4, width: 32, height: 32 });
    const map = new Float32Array(32 * 32);
    const px = 20, py = 11;
    map[py * 32 + px] = 1;
    const om = mapToOriginal(map, g);
    expect(om.width).toBe(80);
    expect(om.height).toBe(60);
    let best = 0, bx = 0, by = 0;
    om.data.forEach((v, i) => { if (v > best) { best = v; bx = i % 80; by = (i / 80) | 0; } });
    const o = toOriginal(g, px + 0.5, py + 0.5); // the pixel centre in original coordinates
    expect(Math.abs(bx + 0.5 - o.x)).toBeLessThanOrEqual(1);
    expect(Math.abs(by + 0.5 - o.y)).toBeLessThanOrEqual(1);
    // The crop covers 32/53 of the width and 32/40 of the height; outside the map is 0.
    expect(om.coverage).toBeCloseTo((Math.round(32 / g.scale.x) * Math.round(32 / g.scale.y)) / (80 * 60), 1);
    expect(om.data[0]).toBe(0);
  });
  it('large originals are sampled under the pixel cap', () => {
    const g = planGeometry(4000, 3000, { size: [32, 32], resize: 'stretch' });
    const om = mapToOriginal(new Float32Array(32 * 32).fill(1), g, 1000 * 1000);
    expect(om.width * om.height).toBeLessThanOrEqual(1000 * 1000);
    expect(om.step).toBe(4);
    expect(om.coverage).toBe(1);
  });
  it('per-image vs per-data-set normalisation', () => {
    const a = Float32Array.from([0, 1, 2]), b = Float32Array.from([0, 2, 4]);
    expect(normalizeSaliency([a, b], 'image').map((m) => Array.from(m))).toEqual([[0, 0.5, 1], [0, 0.5, 1]]);
    expect(normalizeSaliency([a, b], 'dataset').map((m) => Array.from(m))).toEqual([[0, 0.25, 0.5], [0, 0.5, 1]]);
    expect(Array.from(normalizeSaliency([Float32Array.from([-2, 0, 1])], 'image', true)[0]!)).toEqual([0, 0.5, 0.75]);
  });
});
