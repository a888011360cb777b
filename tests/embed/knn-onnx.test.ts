import { describe, expect, it } from 'vitest';
import { knn } from '../../core/embed/knn.ts';
import { knnOnnx } from '../../core/embed/knn-onnx.ts';
import { chooseKnnMethod, nearestNeighbours, ONNX_KNN_MIN_POINTS } from '../../core/embed/knn-select.ts';
import { knnAccuracy, knnAccuracyAsync } from '../../core/embed/quality.ts';
import { tsne } from '../../core/embed/tsne.ts';
import { umap } from '../../core/embed/umap.ts';
import { pca } from '../../core/embed/pca.ts';
import { loadMnistRows } from '../../core/embed/mnist.ts';
import { seededRng } from '../../core/embed/rng.ts';
import { naiveKnn } from './naive-knn.ts';

const naive = naiveKnn;

function expectSameAsNaive(r: { indices: Int32Array; distances: Float32Array }, ref: { j: number; dist: number }[][], k: number): void {
  for (let i = 0; i < ref.length; i++) for (let t = 0; t < k; t++) {
    expect(r.indices[i * k + t]).toBe(ref[i]![t]!.j);
    expect(r.distances[i * k + t]).toBeCloseTo(ref[i]![t]!.dist, 5);
  }
}

const normal = (len: number, seed: number): Float32Array => { const rng = seededRng(seed); return Float32Array.from({ length: len }, () => rng.normal()); };

describe('knnOnnx (onnxruntime MatMul + TopK, float64 re-rank)', () => {
  it('equals a naive float64 sort on random data, including k = n − 1', async () => {
    const n = 301, d = 7, k = 9;
    const x = normal(n * d, 5);
    expectSameAsNaive(await knnOnnx(x, n, d, k, { threads: 2 }), naive(x, n, d, k), k);
    const m = 40;
    const y = x.subarray(0, m * d);
    expectSameAsNaive(await knnOnnx(y, m, d, m - 1), naive(y, m, d, m - 1), m - 1);
    // Smallest case: two points, each the other's only neighbour.
    const two = await knnOnnx(Float32Array.from([0, 0, 3, 4]), 2, 2, 1);
    expect(Array.from(two.indices)).toEqual([1, 0]);
    expect(Array.from(two.distances)).toEqual([5, 5]);
  });

  it('finds the same neighbour sets as the JS brute force on 3,000 MNIST digits (PCA 50, k = 91)', async () => {
    const m = loadMnistRows(3000);
    const x = pca(m.data, m.n, m.d, 50).projected;
    const k = 91;
    const a = await knnOnnx(x, m.n, 50, k, { threads: 2 });
    const b = knn(x, m.n, 50, k);
    let differ = 0;
    for (let i = 0; i < m.n; i++) {
      const sa = new Set(a.indices.subarray(i * k, (i + 1) * k));
      for (let t = 0; t < k; t++) {
        // A different member may only be a tie at the k-th distance.
        if (!sa.has(b.indices[i * k + t]!)) { differ++; expect(b.distances[i * k + t]).toBeCloseTo(a.distances[i * k + k - 1]!, 5); }
        expect(a.distances[i * k + t]).toBeCloseTo(b.distances[i * k + t]!, 4);
      }
    }
    expect(differ).toBeLessThan(5);
    expect(a.fallbackRows).toBe(0);
  });

  it('stays exact where float32 cannot resolve the distances (falls back per row)', async () => {
    // Points 1e4 from the origin with unit spread: |x|² ≈ 5·10⁸ swamps float32's 24 bits.
    const n = 200, d = 5, k = 6;
    const x = normal(n * d, 9).map((v) => 1e4 + v);
    const r = await knnOnnx(x, n, d, k);
    expect(r.fallbackRows).toBeGreaterThan(0);
    expectSameAsNaive(r, naive(x, n, d, k), k);
  });

  it('never returns the point itself among many duplicates', async () => {
    // 30 identical points (more than the k + 1 + 8 shortlist) and 20 others.
    const n = 50, d = 3, k = 5;
    const x = new Float32Array(n * d);
    for (let i = 30; i < n; i++) for (let t = 0; t < d; t++) x[i * d + t] = i + t;
    const r = await knnOnnx(x, n, d, k);
    for (let i = 0; i < 30; i++) for (let t = 0; t < k; t++) {
      const j = r.indices[i * k + t]!;
      expect(j).not.toBe(i);
      expect(j).toBeLessThan(30);
      expect(r.distances[i * k + t]).toBe(0);
    }
  });

  it('rejects k ≥ n and mismatched sizes with the knn messages', async () => {
    const x = normal(20 * 2, 1);
    await expect(knnOnnx(x, 20, 2, 20)).rejects.toThrow(/k must be an integer in 1\.\.n−1 = 19/);
    await expect(knnOnnx(x, 21, 2, 3)).rejects.toThrow(/expected n×d/);
    await expect(nearestNeighbours(x, 20, 2, 0, { method: 'exact-onnx' })).rejects.toThrow(/k must be/);
  });

  it('stops on abort, before and between blocks', async () => {
    const n = 3000, d = 4; // 3 blocks of 1024 queries
    const x = normal(n * d, 3);
    await expect(knnOnnx(x, n, d, 5, { signal: AbortSignal.abort() })).rejects.toThrow(/abort/i);
    const ac = new AbortController();
    const seen: number[] = [];
    await expect(knnOnnx(x, n, d, 5, { signal: ac.signal, onProgress: (f) => { seen.push(f); ac.abort(); } })).rejects.toThrow(/abort/i);
    expect(seen).toEqual([1024 / 3000]);
  });
});

describe('kNN choice by size', () => {
  it('uses JS below ONNX_KNN_MIN_POINTS and onnxruntime from there (or as asked)', async () => {
    expect(ONNX_KNN_MIN_POINTS).toBe(5000);
    expect(chooseKnnMethod(4999)).toBe('exact-js');
    expect(chooseKnnMethod(5000)).toBe('exact-onnx');
    expect(chooseKnnMethod(70_000, 'exact-js')).toBe('exact-js');
    const x = normal(100 * 3, 4);
    expect((await nearestNeighbours(x, 100, 3, 4)).method).toBe('exact-js');
    const o = await nearestNeighbours(x, 100, 3, 4, { method: 'exact-onnx' });
    expect(o.method).toBe('exact-onnx');
    expect(Array.from(o.indices)).toEqual(Array.from(knn(x, 100, 3, 4).indices));
  });

  it('10-NN accuracy through onnxruntime equals the JS one on 6,000 3-D points', async () => {
    const n = 6000;
    const y = normal(n * 3, 8);
    const labels = Uint8Array.from({ length: n }, (_, i) => (y[i * 3]! > 0 ? 1 : 0) + (y[i * 3 + 1]! > 0.5 ? 2 : 0));
    const a = await knnAccuracyAsync(y, n, 3, labels, 10);
    expect(a).toBe(knnAccuracy(y, n, 3, labels, 10));
    expect(a).toBeGreaterThan(0.8);
  });

  it('t-SNE and UMAP report which kNN they used', async () => {
    const m = loadMnistRows(300);
    const x = pca(m.data, m.n, m.d, 20).projected;
    const t = await tsne(x, m.n, 20, { iterations: 50, perplexity: 10, knnMethod: 'exact-onnx' });
    expect(t.knnMethod).toBe('exact-onnx');
    expect((await tsne(x, m.n, 20, { iterations: 20, perplexity: 10 })).knnMethod).toBe('exact-js');
    expect((await tsne(x, m.n, 20, { iterations: 20, perplexity: 10, knn: knn(x, m.n, 20, 31) })).knnMethod).toBe('precomputed');
    const u = await umap(x, m.n, 20, { nEpochs: 20, knnMethod: 'exact-onnx' });
    expect(u.knnMethod).toBe('exact-onnx');
    expect((await umap(x, m.n, 20, { nEpochs: 20 })).knnMethod).toBe('exact-js');
    // Same exact neighbours either way, so the same UMAP embedding.
    expect(Array.from(u.embedding)).toEqual(Array.from((await umap(x, m.n, 20, { nEpochs: 20 })).embedding));
  });
});
