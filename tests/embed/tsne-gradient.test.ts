import { describe, expect, it } from 'vitest';
import { tsneAffinities } from '../../core/embed/tsne.ts';
import { bhGradient, exactGradient, exactKl } from '../../core/embed/tsne-gradient.ts';
import { seededRng } from '../../core/embed/rng.ts';
import { conditionalP, type SparseP } from '../../core/embed/affinity.ts';
import { knn } from '../../core/embed/knn.ts';

function randomData(n: number, d: number, seed: number): Float32Array {
  const rng = seededRng(seed);
  const x = new Float32Array(n * d);
  // Three loose clusters so P is not uniform.
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x[i * d + j] = rng.normal() + (i % 3) * 3 * (j === 0 ? 1 : 0);
  return x;
}

function randomEmbedding(n: number, dim: number, seed: number, scale = 1): Float64Array {
  const rng = seededRng(seed);
  return Float64Array.from({ length: n * dim }, () => rng.normal() * scale);
}

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) { num += (a[i]! - b[i]!) ** 2; den += b[i]! ** 2; }
  return Math.sqrt(num / den);
}

describe('t-SNE affinities', () => {
  it('P is symmetric, non-negative and sums to 1; rows hit the target perplexity', async () => {
    const n = 60, d = 4;
    const p = await tsneAffinities(randomData(n, d, 1), n, d, 10);
    let sum = 0;
    const dense = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let a = p.rowPtr[i]!; a < p.rowPtr[i + 1]!; a++) {
      expect(p.vals[a]!).toBeGreaterThanOrEqual(0);
      expect(p.cols[a]!).not.toBe(i);
      dense[i * n + p.cols[a]!] = p.vals[a]!;
      sum += p.vals[a]!;
    }
    expect(sum).toBeCloseTo(1, 12);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(dense[i * n + j]).toBeCloseTo(dense[j * n + i]!, 15);
    // Conditional rows: entropy = log(perplexity) within the bisection tolerance.
    const nn = knn(randomData(n, d, 1), n, d, 31);
    const cond = conditionalP(nn, n, 10);
    for (let i = 0; i < n; i++) {
      let h = 0, s = 0;
      for (let t = 0; t < 31; t++) { const q = cond[i * 31 + t]!; s += q; if (q > 0) h -= q * Math.log(q); }
      expect(s).toBeCloseTo(1, 12);
      expect(Math.abs(h - Math.log(10))).toBeLessThan(1e-4);
    }
  });
});

describe('t-SNE gradient', () => {
  const n = 20, d = 5;
  let p: SparseP;
  const getP = async () => (p ??= await tsneAffinities(randomData(n, d, 7), n, d, 5));

  for (const dim of [2, 3] as const) {
    it(`exact gradient matches central finite differences of KL (${dim}-D)`, async () => {
      const P = await getP();
      const y = randomEmbedding(n, dim, 3);
      const g = exactGradient(P, y, dim);
      const h = 1e-6;
      const fd = new Float64Array(n * dim);
      for (let a = 0; a < y.length; a++) {
        const v = y[a]!;
        y[a] = v + h; const up = exactKl(P, y, dim);
        y[a] = v - h; const dn = exactKl(P, y, dim);
        y[a] = v;
        fd[a] = (up - dn) / (2 * h);
      }
      expect(relErr(g, fd)).toBeLessThan(1e-6);
    });

    it(`Barnes–Hut gradient with θ = 0 equals the exact gradient (${dim}-D)`, async () => {
      const P = await getP();
      const y = randomEmbedding(n, dim, 4);
      const bh = new Float64Array(n * dim);
      bhGradient(P, y, dim, 0, 1, bh);
      expect(relErr(bh, exactGradient(P, y, dim))).toBeLessThan(1e-12);
      // Exaggeration scales only the attractive part: grad(α) − grad(1) = 4(α−1)·attraction, linear in α.
      const g3 = new Float64Array(n * dim), g5 = new Float64Array(n * dim);
      bhGradient(P, y, dim, 0, 3, g3);
      bhGradient(P, y, dim, 0, 5, g5);
      for (let a = 0; a < y.length; a++) expect(g5[a]! - g3[a]!).toBeCloseTo(g3[a]! - bh[a]!, 10);
    });
  }

  for (const dim of [2, 3] as const) {
    it(`Barnes–Hut gradient with θ = 0.5 is close to exact on 600 points (${dim}-D)`, async () => {
      const m = 600;
      const P = await tsneAffinities(randomData(m, 6, 9), m, 6, 20);
      // A spread-out, clustered embedding like mid-optimisation t-SNE.
      const y = randomEmbedding(m, dim, 5, 4);
      for (let i = 0; i < m; i++) y[i * dim] += (i % 5) * 12;
      const bh = new Float64Array(m * dim);
      bhGradient(P, y, dim, 0.5, 1, bh);
      const err = relErr(bh, exactGradient(P, y, dim));
      expect(err).toBeLessThan(0.05);
      expect(err).toBeGreaterThan(0); // it really approximated something
    });
  }
});
