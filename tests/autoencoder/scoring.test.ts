// The set-scoring pipeline end to end (runtime worker, batches, labels, ROC, threshold, worst items,
// latents, interpolation) on an autoencoder whose answers are known: identity on the first k pixels.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '../../core/runtime/index.ts';
import { AutoencoderWorkbench } from '../../core/autoencoder/workbench.ts';
import { floatSet, concatSets } from '../../core/autoencoder/image-sets.ts';
import { batchScores, binaryLabels, imageError, reconstructItems, scoreSet } from '../../core/autoencoder/scoring.ts';
import { interpolate, latentWalk, latentsOf } from '../../core/autoencoder/latent.ts';
import { subspaceAutoencoder } from './models.ts';

const H = 6, W = 6, D = H * W, K = 5;
let rt: Runtime, wb: AutoencoderWorkbench;
beforeAll(async () => {
  rt = await Runtime.create({ provider: 'cpu' });
  wb = await AutoencoderWorkbench.open(rt, subspaceAutoencoder(H, W, K));
});
afterAll(async () => { await wb.dispose(); await rt.dispose(); });

let seed = 7;
const rand = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
/** n images; in-subspace ones are zero outside the first K pixels. */
function images(n: number, inSubspace: boolean): Float32Array {
  const x = new Float32Array(n * D);
  for (let i = 0; i < n; i++) for (let j = 0; j < D; j++) x[i * D + j] = j < K || !inSubspace ? rand() : 0;
  return x;
}

describe('workbench on the subspace autoencoder', () => {
  it('splits at the code (36/5 = 7.2) and reconstructs in-subspace images exactly', async () => {
    expect(wb.split.bottleneck).toMatchObject({ tensor: 'code', elements: K });
    expect(wb.split.compressionRatio).toBeCloseTo(D / K, 12);
    const x = images(3, true);
    const r = await wb.forward(x, 3);
    expect(Array.from(r.recon)).toEqual(Array.from(x));
    for (let i = 0; i < 3; i++) expect(Array.from(r.latent.subarray(i * K, (i + 1) * K))).toEqual(Array.from(x.subarray(i * D, i * D + K)));
  });

  it('scores a labelled set: AUROC 1, normal scores 0, the threshold and confusion follow', async () => {
    const normal = floatSet('normal', images(40, true), 40), odd = floatSet('odd', images(25, false), 25);
    const set = concatSets([normal, odd]);
    const progress: number[] = [];
    const r = await scoreSet(wb, set, { normalLabels: ['normal'], batchSize: 16, targetFpr: 0.05, worst: 3, keepLatents: true, onProgress: (d) => progress.push(d) });
    expect(progress).toEqual([16, 32, 48, 64, 65]);
    expect(r.scores.length).toBe(65);
    expect(Array.from(r.scores.subarray(0, 40)).every((s) => s === 0)).toBe(true);
    // score 'mean' with l2 error = mean squared error over pixels: the off-subspace pixels' energy / D.
    const x = await odd.read(0, 1);
    let e = 0; for (let j = K; j < D; j++) e += x[j]! ** 2;
    expect(r.scores[40]).toBeCloseTo(e / D, 6);
    const ev = r.evaluation!;
    expect(ev.auroc).toBe(1);
    expect(ev.averagePrecision).toBe(1);
    expect(ev.normalCount).toBe(40);
    expect(ev.anomalousCount).toBe(25);
    expect(ev.threshold).toBeGreaterThan(0);
    expect(ev.confusion).toMatchObject({ tp: 25, fp: 0, tn: 40, fn: 0 });
    expect(r.histogram.normal.reduce((a, b) => a + b, 0)).toBe(40);
    expect(r.histogram.anomalous.reduce((a, b) => a + b, 0)).toBe(25);
    // worst three = the three highest scores, with their error maps
    const sorted = Array.from(r.scores).map((s, i) => [s, i] as const).sort((a, b) => b[0] - a[0]).slice(0, 3).map(([, i]) => i);
    expect(r.worst.map((w) => w.index)).toEqual(sorted);
    const w0 = r.worst[0]!;
    expect(w0.label).toBe('odd');
    expect(w0.errorMap.length).toBe(D);
    expect(w0.errorMap.reduce((a, b) => a + b, 0) / D).toBeCloseTo(w0.score, 6);
    expect(r.latents!.length).toBe(65 * K);
  });

  it('scores an unlabelled set without evaluation, and with max-smoothed / ssim scores', async () => {
    const set = floatSet('plain', images(5, false), 5);
    const r = await scoreSet(wb, set, { score: 'ssim', worst: 0 });
    expect(r.evaluation).toBeUndefined();
    expect(r.labelNote).toMatch(/no labels/);
    for (const s of r.scores) expect(s).toBeGreaterThan(0);
    const m = await scoreSet(wb, set, { score: 'max-smoothed', error: 'l1', worst: 0 });
    const mean = await scoreSet(wb, set, { score: 'mean', error: 'l1', worst: 0 });
    for (let i = 0; i < 5; i++) expect(m.scores[i]).toBeGreaterThan(mean.scores[i]! * 0.99);
  });

  it('is cancelled through its signal', async () => {
    const ac = new AbortController();
    const set = floatSet('many', images(100, false), 100);
    await expect(scoreSet(wb, set, { batchSize: 10, signal: ac.signal, onProgress: (d) => { if (d >= 20) ac.abort(); } })).rejects.toThrow(/cancelled/);
  });

  it('interpolates and walks through the decoder half', async () => {
    const a = images(1, true), b = images(1, true);
    const it = await interpolate(wb, a, b, 3);
    for (let j = 0; j < D; j++) expect(it.images[D + j]).toBeCloseTo((a[j]! + b[j]!) / 2, 6);
    expect(Array.from(it.images.subarray(0, D))).toEqual(Array.from(a));
    const walk = await latentWalk(wb, a, 2, [-1, 1], 5);
    expect(Array.from(walk.values)).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(walk.images[3 * D + 2]).toBeCloseTo(0.5, 6);
    expect(walk.images[3 * D + 1]).toBeCloseTo(a[1]!, 6);
    const lat = await latentsOf(wb, floatSet('s', a, 1, ['x']), {});
    expect(Array.from(lat.latents)).toEqual(Array.from(a.subarray(0, K)));
  });

  it('a model with a fixed batch of 1 is run image by image with the same results', async () => {
    const one = await AutoencoderWorkbench.open(rt, subspaceAutoencoder(H, W, K, 1));
    try {
      expect(one.fixedBatch).toBe(1);
      const x = images(5, false);
      const [a, b] = [await one.forward(x, 5), await wb.forward(x, 5)];
      expect(Array.from(a.recon)).toEqual(Array.from(b.recon));
      expect(Array.from(a.latent)).toEqual(Array.from(b.latent));
      const dec = await one.decode(a.latent, 5);
      expect(Array.from(dec)).toEqual(Array.from(a.recon));
    } finally { await one.dispose(); }
  });

  it('reconstructItems gives all three scores and the error map', async () => {
    const x = images(2, false);
    const items = await reconstructItems(wb, x, 2, 'l2');
    const direct = imageError(x.subarray(0, D), items[0]!.recon, [1, H, W], { score: 'mean', error: 'l2' });
    expect(items[0]!.scores.mean).toBeCloseTo(direct.score, 10);
    expect(items[0]!.scores.ssim).toBeGreaterThan(0);
    expect(items[0]!.errorMap[0]).toBe(0); // pixel 0 lies in the subspace
  });
});

describe('labels and channel averaging', () => {
  it('maps labels to normal/anomalous', () => {
    expect(Array.from(binaryLabels(['a', 'b', 'a'], ['a'])!)).toEqual([0, 1, 0]);
    expect(Array.from(binaryLabels(['Normal', 'x'])!)).toEqual([0, 1]);
    expect(() => binaryLabels(['a', 'b'])).toThrow(/which labels are normal/);
    expect(() => binaryLabels(['a', 'b'], ['c'])).toThrow(/no item has the normal label "c"/);
    expect(binaryLabels(undefined)).toBeUndefined();
  });

  it('averages error maps and scores over channels', () => {
    const a = Float32Array.from({ length: 2 * 4 }, (_, i) => i / 8), b = new Float32Array(8);
    const r = imageError(a, b, [2, 2, 2], { score: 'mean', error: 'l1' });
    expect(Array.from(r.map)).toEqual([0, 1, 2, 3].map((i) => (i / 8 + (i + 4) / 8) / 2));
    expect(r.score).toBeCloseTo(a.reduce((s, v) => s + v, 0) / 8, 7);
  });
});

describe('batchScores', () => {
  it('the mean-error fast path equals the per-image map-based score for L1 and L2 over 3 channels', () => {
    const dims = [3, 4, 5], per = 60, n = 7;
    const x = Float32Array.from({ length: n * per }, rand), y = Float32Array.from({ length: n * per }, rand);
    for (const error of ['l1', 'l2'] as const) {
      const fast = batchScores(x, y, n, dims, { score: 'mean', error });
      for (let i = 0; i < n; i++) {
        const slow = imageError(x.subarray(i * per, (i + 1) * per), y.subarray(i * per, (i + 1) * per), dims, { score: 'mean', error }).score;
        expect(fast[i]).toBeCloseTo(slow, 6);
      }
    }
    // Other scores still go through the map (max of the smoothed map ≥ its mean).
    const mx = batchScores(x, y, n, dims, { score: 'max-smoothed', error: 'l2' });
    const mean = batchScores(x, y, n, dims, { score: 'mean', error: 'l2' });
    for (let i = 0; i < n; i++) expect(mx[i]!).toBeGreaterThanOrEqual(mean[i]! * 0.5);
  });
});
