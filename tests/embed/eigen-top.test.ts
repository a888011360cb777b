// symmetricEigenTop (QL on eigenvalues + inverse iteration) against the full tred2/tql2 solver:
// same eigenvalues, eigenvectors with residual ‖Av − λv‖ at rounding level, orthonormal even when
// eigenvalues repeat (where the full solver's vectors are only one basis among many).
import { describe, expect, it } from 'vitest';
import { symmetricEigen, symmetricEigenTop } from '../../core/embed/eigen.ts';
import { seededRng } from '../../core/embed/rng.ts';

function randomSymmetric(n: number, seed: number): Float64Array {
  const rng = seededRng(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) { const x = rng.normal(); a[i * n + j] = x; a[j * n + i] = x; }
  return a;
}

/** Q·diag(values)·Qᵀ for a random orthogonal Q (Gram–Schmidt of a Gaussian matrix). */
function withSpectrum(values: number[], seed: number): Float64Array {
  const n = values.length, rng = seededRng(seed);
  const q = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    for (let r = 0; r < n; r++) q[c * n + r] = rng.normal();
    for (let o = 0; o < c; o++) {
      let dot = 0;
      for (let r = 0; r < n; r++) dot += q[c * n + r]! * q[o * n + r]!;
      for (let r = 0; r < n; r++) q[c * n + r] -= dot * q[o * n + r]!;
    }
    let nn = 0;
    for (let r = 0; r < n; r++) nn += q[c * n + r]! ** 2;
    for (let r = 0; r < n; r++) q[c * n + r] /= Math.sqrt(nn);
  }
  const a = new Float64Array(n * n);
  for (let c = 0; c < n; c++) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] += values[c]! * q[c * n + i]! * q[c * n + j]!;
  return a;
}

function check(a: Float64Array, n: number, k: number) {
  const top = symmetricEigenTop(a, n, k);
  const full = symmetricEigen(a, n);
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(full.values[i]!));
  let residual = 0, ortho = 0, valueErr = 0;
  for (let c = 0; c < k; c++) {
    valueErr = Math.max(valueErr, Math.abs(top.values[c]! - full.values[c]!));
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += a[i * n + j]! * top.vectors[c * n + j]!;
      residual = Math.max(residual, Math.abs(s - top.values[c]! * top.vectors[c * n + i]!));
    }
    for (let o = 0; o <= c; o++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += top.vectors[c * n + i]! * top.vectors[o * n + i]!;
      ortho = Math.max(ortho, Math.abs(dot - (o === c ? 1 : 0)));
    }
  }
  return { top, full, residual: residual / scale, ortho, valueErr: valueErr / scale };
}

describe('symmetricEigenTop', () => {
  it('equals the full solver on a random 200×200 matrix (top 20): values, vectors up to sign', () => {
    const n = 200, k = 20;
    const { top, full, residual, ortho, valueErr } = check(randomSymmetric(n, 3), n, k);
    expect(valueErr).toBeLessThan(1e-13);
    expect(residual).toBeLessThan(1e-12);
    expect(ortho).toBeLessThan(1e-12);
    for (let c = 0; c < k; c++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += top.vectors[c * n + i]! * full.vectors[c * n + i]!;
      expect(Math.abs(dot)).toBeCloseTo(1, 10);
    }
  });

  it('repeated and nearly repeated eigenvalues still give an orthonormal eigenbasis', () => {
    const values = Array.from({ length: 120 }, (_, i) => (i < 4 ? 10 : i < 7 ? 5 + i * 1e-12 : i < 9 ? 3 : 1 / (i + 1)));
    const { top, residual, ortho, valueErr } = check(withSpectrum(values, 7), 120, 10);
    for (let c = 0; c < 4; c++) expect(top.values[c]).toBeCloseTo(10, 10);
    expect(top.values[4]).toBeCloseTo(5, 9);
    expect(valueErr).toBeLessThan(1e-12);
    expect(residual).toBeLessThan(1e-10);
    expect(ortho).toBeLessThan(1e-10);
  });

  it('a rank-deficient matrix (zeros in the spectrum) and k = 1', () => {
    const values = Array.from({ length: 100 }, (_, i) => (i < 3 ? 3 - i : 0));
    const r = check(withSpectrum(values, 11), 100, 5);
    expect(r.valueErr).toBeLessThan(1e-12);
    expect(r.residual).toBeLessThan(1e-10);
    expect(r.ortho).toBeLessThan(1e-10);
    const one = check(randomSymmetric(90, 5), 90, 1);
    expect(one.residual).toBeLessThan(1e-12);
  });

  it('rejects a bad k', () => {
    expect(() => symmetricEigenTop(new Float64Array(4), 2, 3)).toThrow(/k must be in 1\.\.2/);
  });
});
