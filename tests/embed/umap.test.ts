import { describe, expect, it } from 'vitest';
import { umap } from '../../core/embed/umap.ts';
import { pca } from '../../core/embed/pca.ts';
import { knn } from '../../core/embed/knn.ts';
import { knnAccuracy } from '../../core/embed/quality.ts';
import { loadMnistRows } from '../../core/embed/mnist.ts';

describe('umap wrapper', () => {
  const m = loadMnistRows(600);
  const x = pca(m.data, m.n, m.d, 30).projected;

  it('embeds 600 MNIST digits with good class separation, deterministically per seed', async () => {
    const epochs: number[] = [];
    const a = await umap(x, m.n, 30, { nNeighbors: 15, nEpochs: 150, seed: 3, progressEvery: 50, onEpoch: (p) => { epochs.push(p.epoch); } });
    expect(a.embedding.length).toBe(m.n * 2);
    expect(epochs).toEqual([50, 100, 150]);
    expect(knnAccuracy(a.embedding, m.n, 2, m.labels, 10)).toBeGreaterThan(0.8);
    // Precomputed neighbours (more than needed) give the same result as the built-in exact kNN.
    const b = await umap(x, m.n, 30, { nNeighbors: 15, nEpochs: 150, seed: 3, knn: knn(x, m.n, 30, 20) });
    expect(Array.from(b.embedding)).toEqual(Array.from(a.embedding));
  });

  it('supports 3 components and abort', async () => {
    const ac = new AbortController();
    const run = umap(x, m.n, 30, { nComponents: 3, nEpochs: 100, progressEvery: 10, signal: ac.signal, onEpoch: (p) => { expect(p.embedding.length).toBe(m.n * 3); if (p.epoch === 20) ac.abort(); } });
    await expect(run).rejects.toThrow(/abort/i);
  });

  it('rejects too few points for nNeighbors', async () => {
    await expect(umap(x.subarray(0, 10 * 30), 10, 30, { nNeighbors: 15 })).rejects.toThrow(/nNeighbors/);
  });
});
