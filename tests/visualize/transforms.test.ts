// Each linear stage of feature visualisation must have an exact transpose (the gradient flows back
// through it), and the Fourier parameterisation must invert exactly.
import { describe, expect, it } from 'vitest';
import { roll, rollAdjoint, affineTaps, affineApply, affineAdjoint, drawTransform, applyDraw, adjointDraw } from '../../core/visualize/transforms.ts';
import { FourierBasis, hartleyMatrix } from '../../core/visualize/fourier.ts';
import { applyColour, colourAdjoint, colourMatrixFromPixels, sampleColourMatrix } from '../../core/visualize/colour.ts';
import { rng, totalVariation } from '../../core/visualize/visualize.ts';

const rand = rng(42);
const noise = (n: number) => Float32Array.from({ length: n }, () => 2 * rand() - 1);
const dot = (a: Float32Array, b: Float32Array) => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!; return s; };
/** <T x, y> = <x, Tᵀ y>, relative to the size of the terms. */
function expectAdjoint(fwd: (x: Float32Array) => Float32Array, adj: (y: Float32Array) => Float32Array, n: number, m = n) {
  for (let t = 0; t < 3; t++) {
    const x = noise(n), y = noise(m);
    const a = dot(fwd(x), y), b = dot(x, adj(y));
    expect(Math.abs(a - b) / Math.max(1, Math.abs(a))).toBeLessThan(1e-5);
  }
}

describe('transform adjoints', () => {
  const [c, h, w] = [3, 13, 17];
  it('roll (jitter with wrap) is a permutation and its adjoint is the inverse roll', () => {
    expectAdjoint((x) => roll(x, c, h, w, 3, -5), (y) => rollAdjoint(y, c, h, w, 3, -5), c * h * w);
    const x = noise(c * h * w);
    expect(Array.from(rollAdjoint(roll(x, c, h, w, -4, 20), c, h, w, -4, 20))).toEqual(Array.from(x));
    // out[0, 3] = in[0, 0] for a shift of +3 columns
    const r = roll(x, 1, h, w, 0, 3);
    expect(r[3]).toBe(x[0]);
  });

  it('bilinear scale + rotate has an exact transpose', () => {
    for (const a of [{ scale: 1.1, angle: 0.1 }, { scale: 0.93, angle: -0.2 }, { scale: 1, angle: Math.PI / 2 }]) {
      const t = affineTaps(h, w, a);
      expectAdjoint((x) => affineApply(x, c, h, w, t), (y) => affineAdjoint(y, c, h, w, t), c * h * w);
    }
    // Identity transform reproduces the image.
    const x = noise(h * w);
    const id = affineApply(x, 1, h, w, affineTaps(h, w, { scale: 1, angle: 0 }));
    for (let i = 0; i < x.length; i++) expect(id[i]).toBeCloseTo(x[i]!, 6);
  });

  it('a random draw (roll, scale, rotate) and its adjoint', () => {
    const r = rng(7);
    for (let k = 0; k < 4; k++) {
      const d = drawTransform(h, w, { jitter: 3, scale: 0.1, rotate: 10 }, r);
      expectAdjoint((x) => applyDraw(x, c, h, w, d, 0), (y) => adjointDraw(y, c, h, w, d), c * h * w);
    }
  });

  it('colour decorrelation matrix: Cholesky of the sample covariance, with an exact transpose', async () => {
    const { matrix, note } = await sampleColourMatrix();
    expect(note).toBeUndefined();
    expect(matrix[1]).toBe(0); expect(matrix[2]).toBe(0); expect(matrix[5]).toBe(0); // lower triangular
    expect(matrix[0]).toBeGreaterThan(0);
    const plane = h * w;
    expectAdjoint((x) => applyColour(x, plane, matrix), (y) => colourAdjoint(y, plane, matrix), 3 * plane);
    // L·Lᵀ reproduces the covariance up to the column-norm scale, checked on known pixels.
    const px = Uint8Array.from([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 0, 10, 200, 90]);
    const l = colourMatrixFromPixels(px);
    const n = 6, mean = [0, 1, 2].map((ch) => px.filter((_, i) => i % 3 === ch).reduce((a, b) => a + b / 255, 0) / n);
    const cov = (a: number, b: number) => { let s = 0; for (let i = 0; i < n; i++) s += (px[i * 3 + a]! / 255 - mean[a]!) * (px[i * 3 + b]! / 255 - mean[b]!); return s / n; };
    const llt = (a: number, b: number) => [0, 1, 2].reduce((s, k) => s + l[a * 3 + k]! * l[b * 3 + k]!, 0);
    const ratio = llt(0, 0) / cov(0, 0);
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) expect(llt(a, b)).toBeCloseTo(cov(a, b) * ratio, 10);
  });
});

describe('Fourier parameterisation', () => {
  it('the Hartley matrix is orthonormal and symmetric', () => {
    for (const n of [1, 7, 16]) {
      const m = hartleyMatrix(n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
        expect(m[i * n + j]).toBeCloseTo(m[j * n + i]!, 12);
        let s = 0;
        for (let k = 0; k < n; k++) s += m[i * n + k]! * m[k * n + j]!;
        expect(s).toBeCloseTo(i === j ? 1 : 0, 12);
      }
    }
  });

  it('image → spectrum → image round trip, and the adjoint', () => {
    const [c, h, w] = [3, 12, 9];
    const f = new FourierBasis(c, h, w);
    const x = noise(c * h * w);
    const back = f.toImage(f.fromImage(x));
    let err = 0;
    for (let i = 0; i < x.length; i++) err = Math.max(err, Math.abs(back[i]! - x[i]!));
    expect(err).toBeLessThan(1e-5);
    expectAdjoint((p) => f.toImage(p), (g) => f.adjoint(g), c * h * w);
    // 1/f prior: the DC amplitude is the largest, the Nyquist corner the smallest.
    const a = f.amplitude;
    expect(a[0]).toBe(Math.max(...a));
    expect(a[6 * w + 4]).toBeLessThan(a[1]! / 4);
  });
});

describe('total variation', () => {
  it('matches a hand count and its subgradient matches finite differences', () => {
    const x = Float32Array.from([0, 1, 3, 0, 0, 1]); // 1 channel, 2×3
    // rows: |1|+|2| + |0|+|1| = 4; columns: |0|+|−1|+|−2| = 3
    expect(totalVariation(x, 1, 2, 3)).toBe(7);
    const y = noise(2 * 4 * 5), g = new Float32Array(y.length);
    totalVariation(y, 2, 4, 5, g, 1);
    for (const i of [0, 7, 19, 33]) {
      const e = 1e-3, a = new Float32Array(y), b = new Float32Array(y);
      a[i]! += e; b[i]! -= e;
      expect((totalVariation(a, 2, 4, 5) - totalVariation(b, 2, 4, 5)) / (2 * e)).toBeCloseTo(g[i]!, 2);
    }
  });
});
