import { describe, expect, it } from 'vitest';
import { tsne, type TsneProgress } from '../../core/embed/tsne.ts';
import { pca } from '../../core/embed/pca.ts';
import { knnAccuracy } from '../../core/embed/quality.ts';
import { loadMnistRows } from '../../core/embed/mnist.ts';

describe('t-SNE end to end', () => {
  const m = loadMnistRows(1000);
  const x = pca(m.data, m.n, m.d, 30).projected;

  it('separates 1,000 MNIST digits in 2-D (10-NN accuracy > 0.85), reporting progress', async () => {
    const progress: TsneProgress[] = [];
    // Perplexity 10 suits 1,000 points (~100 per class); measured 0.867 (PCA 50 input: 0.862; raw-pixel 10-NN: 0.835).
    const r = await tsne(x, m.n, 30, { dim: 2, iterations: 600, perplexity: 10, seed: 1, progressEvery: 100, onProgress: (p) => { progress.push(p); } });
    expect(r.embedding.length).toBe(m.n * 2);
    expect(progress.map((p) => p.iteration)).toEqual([100, 200, 300, 400, 500, 600]);
    expect(progress[0]!.phase).toBe('exaggeration');
    expect(progress[5]!.phase).toBe('main');
    // KL falls once exaggeration ends.
    expect(progress[5]!.kl).toBeLessThan(progress[2]!.kl);
    expect(r.kl).toBeCloseTo(progress[5]!.kl, 10);
    expect(Array.from(progress[5]!.embedding)).toEqual(Array.from(r.embedding));
    const acc = knnAccuracy(r.embedding, m.n, 2, m.labels, 10);
    expect(acc).toBeGreaterThan(0.85);
  });

  it('3-D on two threads gives a good embedding, and the same one as on one thread', async () => {
    const opts = { dim: 3 as const, iterations: 400, perplexity: 10, seed: 2 };
    const a = await tsne(x, m.n, 30, { ...opts, threads: 2 });
    const b = await tsne(x, m.n, 30, { ...opts, threads: 1 });
    expect(Array.from(a.embedding)).toEqual(Array.from(b.embedding));
    expect(knnAccuracy(a.embedding, m.n, 3, m.labels, 10)).toBeGreaterThan(0.85);
  });

  it('stops when aborted', async () => {
    const ac = new AbortController();
    let last = 0;
    const run = tsne(x, m.n, 30, { iterations: 1000, progressEvery: 10, signal: ac.signal, onProgress: (p) => { last = p.iteration; if (p.iteration === 50) ac.abort(); } });
    await expect(run).rejects.toThrow(/abort/i);
    expect(last).toBe(50);
    // Also from a timer, with no progress callback (the loop yields at progress points).
    const t0 = performance.now();
    const run2 = tsne(x, m.n, 30, { iterations: 100_000, signal: AbortSignal.timeout(300) });
    await expect(run2).rejects.toThrow(/abort|timeout/i);
    expect(performance.now() - t0).toBeLessThan(20_000);
  });

  it('rejects bad options with clear messages', async () => {
    await expect(tsne(x, m.n, 30, { perplexity: 5000 })).rejects.toThrow(/perplexity/);
    await expect(tsne(x, m.n, 30, { dim: 4 as 2 })).rejects.toThrow(/dim must be 2 or 3/);
    await expect(tsne(x.subarray(0, 10), m.n, 30)).rejects.toThrow(/n×d/);
  });
});
