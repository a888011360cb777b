// AE-vs-PCA numbers against a direct computation, denoising bookkeeping, and the noise functions' statistics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '../../core/runtime/index.ts';
import { AutoencoderWorkbench } from '../../core/autoencoder/workbench.ts';
import { floatSet } from '../../core/autoencoder/image-sets.ts';
import { compareWithPca } from '../../core/autoencoder/pca-compare.ts';
import { addNoise, mse } from '../../core/autoencoder/noise.ts';
import { denoise } from '../../core/autoencoder/denoise.ts';
import { pca } from '../../core/embed/pca.ts';
import { subspaceAutoencoder } from './models.ts';

const H = 5, W = 5, D = 25, K = 4;
let rt: Runtime, wb: AutoencoderWorkbench;
beforeAll(async () => {
  rt = await Runtime.create({ provider: 'cpu' });
  wb = await AutoencoderWorkbench.open(rt, subspaceAutoencoder(H, W, K));
});
afterAll(async () => { await wb.dispose(); await rt.dispose(); });

let s = 11;
const rand = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
const data = (n: number) => Float32Array.from({ length: n * D }, (_, i) => rand() * (i % D < K ? 1 : 0.3));

describe('compareWithPca', () => {
  it('matches a direct PCA reconstruction and the AE error worked out by hand', async () => {
    const train = data(200), test = data(30);
    const c = await compareWithPca(wb, floatSet('train', train, 200), floatSet('test', test, 30), { keep: 2, batchSize: 7 });
    expect(c.k).toBe(K);
    // direct: fit, project, reconstruct by hand
    const fit = pca(train, 200, D, K);
    let pcaSum = 0, aeSum = 0;
    for (let i = 0; i < 30; i++) {
      const x = test.subarray(i * D, (i + 1) * D);
      const rec = Float64Array.from(fit.mean);
      for (let c2 = 0; c2 < K; c2++) {
        let sc = 0;
        for (let j = 0; j < D; j++) sc += (x[j]! - fit.mean[j]!) * fit.components[c2 * D + j]!;
        for (let j = 0; j < D; j++) rec[j] += sc * fit.components[c2 * D + j]!;
      }
      let e = 0, a = 0;
      for (let j = 0; j < D; j++) { e += (rec[j]! - x[j]!) ** 2; if (j >= K) a += x[j]! ** 2; }
      expect(c.pcaMse[i]).toBeCloseTo(e / D, 5);
      expect(c.aeMse[i]).toBeCloseTo(a / D, 6);
      pcaSum += e / D; aeSum += a / D;
    }
    expect(c.pcaMeanMse).toBeCloseTo(pcaSum / 30, 5);
    expect(c.aeMeanMse).toBeCloseTo(aeSum / 30, 6);
    expect(c.examples.count).toBe(2);
    expect(Array.from(c.examples.input)).toEqual(Array.from(test.subarray(0, 2 * D)));
  });

  it('PCA is exact on data inside a k-dimensional subspace', async () => {
    const n = 50, train = new Float32Array(n * D);
    for (let i = 0; i < n; i++) for (let j = 0; j < K; j++) train[i * D + j] = rand();
    const c = await compareWithPca(wb, floatSet('t', train, n), floatSet('u', train.slice(0, 10 * D), 10));
    expect(c.pcaMeanMse).toBeLessThan(1e-10);
    expect(c.aeMeanMse).toBe(0);
    expect(c.explainedVariance).toBeCloseTo(1, 6);
  });
});

describe('noise', () => {
  const gray = new Float32Array(20_000).fill(0.5);
  it('gaussian: zero-mean with the requested σ (no clipping at 0.5 ± 0.1)', () => {
    const y = addNoise(gray, { kind: 'gaussian', amount: 0.1, seed: 1 });
    let m = 0, v = 0;
    for (const x of y) m += x - 0.5;
    m /= y.length;
    for (const x of y) v += (x - 0.5 - m) ** 2;
    expect(Math.abs(m)).toBeLessThan(0.003);
    expect(Math.sqrt(v / y.length)).toBeCloseTo(0.1, 2);
  });
  it('salt-and-pepper: the requested fraction, half black half white', () => {
    const y = addNoise(gray, { kind: 'salt-pepper', amount: 0.2, seed: 2 });
    const black = y.filter((x) => x === 0).length, white = y.filter((x) => x === 1).length;
    expect((black + white) / y.length).toBeCloseTo(0.2, 1);
    expect(Math.abs(black - white) / (black + white)).toBeLessThan(0.05);
    expect(y.filter((x) => x !== 0 && x !== 1 && x !== 0.5).length).toBe(0);
  });
  it('masking: the requested fraction set to 0 in every channel at once; seeded', () => {
    const rgb = new Float32Array(3 * 10_000).fill(0.5);
    const y = addNoise(rgb, { kind: 'masking', amount: 0.3, seed: 3, channels: 3 });
    let hit = 0;
    for (let p = 0; p < 10_000; p++) {
      const z = [y[p], y[10_000 + p], y[20_000 + p]];
      expect(new Set(z).size).toBe(1);
      if (z[0] === 0) hit++;
    }
    expect(hit / 10_000).toBeCloseTo(0.3, 1);
    expect(Array.from(addNoise(rgb, { kind: 'masking', amount: 0.3, seed: 3, channels: 3 }))).toEqual(Array.from(y));
    expect(mse(addNoise(rgb, { kind: 'masking', amount: 0.3, seed: 4, channels: 3 }), y)).toBeGreaterThan(0);
    expect(() => addNoise(rgb, { kind: 'masking', amount: 2, seed: 0 })).toThrow(/fraction/);
  });
  it('denoise reports noisy and restored error against the clean image', async () => {
    const clean = Float32Array.from({ length: 2 * D }, (_, i) => (i % D < K ? 0.5 : 0));
    const r = await denoise(wb, clean, 2, { kind: 'salt-pepper', amount: 0.5, seed: 9 });
    // the AE keeps the first K pixels as they are (noisy) and zeroes the rest (clean there)
    for (let i = 0; i < 2; i++) {
      let e = 0;
      for (let j = 0; j < K; j++) e += (r.noisy[i * D + j]! - 0.5) ** 2;
      expect(r.restoredMse[i]).toBeCloseTo(e / D, 6);
      expect(r.noisyMse[i]).toBeCloseTo(mse(r.noisy.subarray(i * D, (i + 1) * D), clean.subarray(i * D, (i + 1) * D)), 7);
      expect(r.noisyMse[i]!).toBeGreaterThanOrEqual(r.restoredMse[i]!);
    }
  });
});
