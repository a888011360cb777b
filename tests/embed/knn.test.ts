import { describe, expect, it } from 'vitest';
import { knn, knnAsync } from '../../core/embed/knn.ts';
import { seededRng } from '../../core/embed/rng.ts';
import { naiveKnn } from './naive-knn.ts';

const naive = naiveKnn;

describe('knn', () => {
  const n = 203, d = 7, k = 9; // n not a multiple of the 4-query block
  const rng = seededRng(2);
  const x = Float32Array.from({ length: n * d }, () => rng.normal());
  const ref = naive(x, n, d, k);

  it('matches a naive sort of all distances', () => {
    const r = knn(x, n, d, k);
    for (let i = 0; i < n; i++) for (let t = 0; t < k; t++) {
      expect(r.indices[i * k + t]).toBe(ref[i]![t]!.j);
      expect(r.distances[i * k + t]!).toBeCloseTo(ref[i]![t]!.dist, 4);
    }
  });

  it('gives identical results on two threads', async () => {
    const a = knn(x, n, d, k);
    const b = await knnAsync(x, n, d, k, { threads: 2 });
    expect(Array.from(b.indices)).toEqual(Array.from(a.indices));
    expect(Array.from(b.distances)).toEqual(Array.from(a.distances));
  });

  it('stops on abort (two threads)', async () => {
    const big = Float32Array.from({ length: 4000 * 20 }, (_, i) => Math.sin(i));
    await expect(knnAsync(big, 4000, 20, 5, { threads: 2, signal: AbortSignal.timeout(1) })).rejects.toThrow(/abort|timeout/i);
  });

  it('never returns the point itself, even among duplicates', () => {
    const dup = new Float32Array(10 * 2); // ten identical points
    const r = knn(dup, 10, 2, 3);
    for (let i = 0; i < 10; i++) for (let t = 0; t < 3; t++) {
      expect(r.indices[i * 3 + t]).not.toBe(i);
      expect(r.distances[i * 3 + t]).toBe(0);
    }
  });

  it('rejects k ≥ n and mismatched sizes', () => {
    expect(() => knn(x, n, d, n)).toThrow(/k must be/);
    expect(() => knn(x, n + 1, d, 3)).toThrow(/expected n×d/);
  });
});
