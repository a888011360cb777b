import { describe, expect, it } from 'vitest';
import { pca, pcaTransform, reconstruct } from '../../core/embed/pca.ts';
import { symmetricEigen } from '../../core/embed/eigen.ts';
import { seededRng } from '../../core/embed/rng.ts';

/** Random orthonormal d×d matrix (columns) from the eigenvectors of a random symmetric matrix. */
function randomRotation(d: number, seed: number): Float64Array {
  const rng = seededRng(seed);
  const a = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) { const v = rng.normal(); a[i * d + j] = v; a[j * d + i] = v; }
  const rows = symmetricEigen(a, d).vectors; // rows orthonormal
  const q = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) q[i * d + j] = rows[j * d + i]!; // column j = eigvec j
  return q;
}

/**
 * Data with exactly known principal axes: scores Z = [diag(s); −diag(s)] (2d rows) have zero-mean,
 * mutually orthogonal columns with variance 2·s_c²/(n−1); X = Z·Qᵀ + μ.
 */
function knownData(d: number, s: number[], seed: number) {
  const q = randomRotation(d, seed);
  const n = 2 * d;
  const mu = Array.from({ length: d }, (_, j) => j - d / 2);
  const x = new Float32Array(n * d);
  for (let c = 0; c < d; c++) {
    for (let j = 0; j < d; j++) {
      x[c * d + j] = mu[j]! + s[c]! * q[j * d + c]!;
      x[(d + c) * d + j] = mu[j]! - s[c]! * q[j * d + c]!;
    }
  }
  const variances = s.map((v) => (2 * v * v) / (n - 1));
  return { x, n, q, mu, variances };
}

describe('symmetricEigen', () => {
  it('satisfies A·v = λ·v with orthonormal vectors, values descending', () => {
    const d = 40, rng = seededRng(3), a = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) { const v = rng.normal(); a[i * d + j] = v; a[j * d + i] = v; }
    const { values, vectors } = symmetricEigen(a, d);
    for (let i = 1; i < d; i++) expect(values[i]!).toBeLessThanOrEqual(values[i - 1]!);
    let trace = 0, sum = 0;
    for (let i = 0; i < d; i++) { trace += a[i * d + i]!; sum += values[i]!; }
    expect(sum).toBeCloseTo(trace, 10);
    for (let q = 0; q < d; q++) {
      for (let i = 0; i < d; i++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += a[i * d + j]! * vectors[q * d + j]!;
        expect(Math.abs(s - values[q]! * vectors[q * d + i]!)).toBeLessThan(1e-11);
      }
      for (let r = 0; r < d; r++) {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += vectors[q * d + j]! * vectors[r * d + j]!;
        expect(Math.abs(dot - (q === r ? 1 : 0))).toBeLessThan(1e-12);
      }
    }
  });

  it('handles a diagonal matrix with repeated eigenvalues', () => {
    const a = new Float64Array([2, 0, 0, 0, 5, 0, 0, 0, 2]);
    const { values } = symmetricEigen(a, 3);
    expect(Array.from(values)).toEqual([5, 2, 2]);
  });
});

describe('pca', () => {
  const d = 12;
  const s = [9, 7, 5, 4, 3, 2.5, 2, 1.5, 1, 0.5, 0.25, 0.1];
  const { x, n, q, mu, variances } = knownData(d, s, 11);
  const totalVar = variances.reduce((a, b) => a + b, 0);

  for (const method of ['covariance', 'gram', 'randomized'] as const) {
    it(`recovers known eigenvalues and eigenvectors (${method})`, () => {
      const k = 4;
      const r = pca(x, n, d, k, { method, tolerance: 1e-12, maxIterations: 200 });
      expect(r.method).toBe(method);
      for (let c = 0; c < k; c++) {
        expect(r.explainedVariance[c]!).toBeCloseTo(variances[c]!, 3);
        expect(r.explainedVarianceRatio[c]!).toBeCloseTo(variances[c]! / totalVar, 5);
        let dot = 0;
        for (let j = 0; j < d; j++) dot += r.components[c * d + j]! * q[j * d + c]!;
        expect(Math.abs(dot)).toBeGreaterThan(1 - 1e-5);
        // Scores are ±s_c at rows c and d+c, zero elsewhere (up to the component's sign).
        const sign = Math.sign(dot);
        expect(r.projected[c * k + c]! * sign).toBeCloseTo(s[c]!, 3);
        expect(r.projected[(d + c) * k + c]! * sign).toBeCloseTo(-s[c]!, 3);
        expect(r.projected[((c + 1) % d) * k + c]!).toBeCloseTo(0, 3);
      }
      for (let j = 0; j < d; j++) expect(r.mean[j]!).toBeCloseTo(mu[j]!, 4);
    });
  }

  it('reconstructs the data exactly with k = d and partially with k < d', () => {
    const full = pca(x, n, d, d);
    const rec = reconstruct(full, full.projected, n);
    let maxErr = 0;
    for (let i = 0; i < x.length; i++) maxErr = Math.max(maxErr, Math.abs(rec[i]! - x[i]!));
    expect(maxErr).toBeLessThan(1e-4);
    expect(full.explainedVarianceRatio.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 8);
    // With k components, the mean squared reconstruction error per row equals the dropped variance·(n−1)/n.
    const k = 5;
    const part = pca(x, n, d, k);
    const rk = reconstruct(part, part.projected, n);
    let sse = 0;
    for (let i = 0; i < x.length; i++) sse += (rk[i]! - x[i]!) ** 2;
    const dropped = variances.slice(k).reduce((a, b) => a + b, 0);
    expect(sse / n).toBeCloseTo(dropped * (n - 1) / n, 3);
  });

  it('pcaTransform of the training rows equals the fitted scores', () => {
    const r = pca(x, n, d, 3);
    const t = pcaTransform(r, x, n);
    for (let i = 0; i < t.length; i++) expect(t[i]!).toBeCloseTo(r.projected[i]!, 4);
  });

  it('rejects bad input with a clear message', () => {
    expect(() => pca(x, n, d, 0)).toThrow(/k must be/);
    expect(() => pca(x, n, d + 1, 2)).toThrow(/n×d/);
    const bad = x.slice(); bad[5] = NaN;
    expect(() => pca(bad, n, d, 2)).toThrow(/row 0, column 5/);
  });
});
