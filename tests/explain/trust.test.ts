import { describe, expect, it } from 'vitest';
import { pearson, ranks, spearman, mapSsim } from '../../core/explain/similarity.ts';
import { deletionCurve, insertionCurve, noisyLinearImpute, road, trapezoidAuc, type Image, type Predict } from '../../core/explain/faithfulness.ts';

describe('map similarity', () => {
  it('ranks average ties', () => {
    expect(Array.from(ranks([10, 20, 20, 5]))).toEqual([2, 3.5, 3.5, 1]);
  });
  it('Spearman equals 1 for monotone transforms, −1 for reversal, and matches the closed form without ties', () => {
    const a = [0.1, 0.5, 0.2, 0.9, 0.3];
    expect(spearman(a, a.map((v) => Math.exp(5 * v)))).toBeCloseTo(1, 12);
    expect(spearman(a, a.map((v) => -v))).toBeCloseTo(-1, 12);
    const b = [0.3, 0.4, 0.1, 0.8, 0.2];
    // ρ = 1 − 6Σd²/(n(n²−1)); ranks a: [1,4,2,5,3], b: [3,4,1,5,2] → d² = 4+0+1+0+1 = 6 → ρ = 1 − 36/120 = 0.7
    expect(spearman(a, b)).toBeCloseTo(0.7, 12);
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
  });
  it('SSIM of a map with itself is 1 and with an unrelated map is low', () => {
    const h = 16, w = 16;
    const m = Float32Array.from({ length: h * w }, (_, i) => Math.exp(-(((i % w) - 4) ** 2 + (((i / w) | 0) - 4) ** 2) / 8));
    const o = Float32Array.from({ length: h * w }, (_, i) => Math.exp(-(((i % w) - 12) ** 2 + (((i / w) | 0) - 12) ** 2) / 8));
    expect(mapSsim(m, m, h, w)).toBeCloseTo(1, 5);
    expect(mapSsim(m, o, h, w)).toBeLessThan(0.5);
  });
});

// A "model" whose score is the mean of the image's top-left quadrant: the faithful map is that quadrant.
const H = 8, W = 8;
const quadrantScore: Predict = async (batch, n) => {
  const out = new Float32Array(n);
  for (let b = 0; b < n; b++) {
    let s = 0;
    for (let y = 0; y < H / 2; y++) for (let x = 0; x < W / 2; x++) s += batch[b * H * W + y * W + x]!;
    out[b] = s / (H * W / 4);
  }
  return out;
};
const ones: Image = { data: new Float32Array(H * W).fill(1), channels: 1, height: H, width: W };
const faithful = Float32Array.from({ length: H * W }, (_, i) => ((i / W) | 0) < H / 2 && i % W < W / 2 ? 1 : 0);
const unfaithful = Float32Array.from(faithful, (v) => 1 - v);

describe('deletion and insertion (Petsiuk et al. 2018)', () => {
  it('trapezoid AUC', () => {
    expect(trapezoidAuc([0, 0.5, 1], [1, 1, 0])).toBeCloseTo(0.75);
  });
  it('a faithful map deletes the score faster and inserts it faster than an unfaithful one', async () => {
    const dGood = await deletionCurve(ones, faithful, quadrantScore, { steps: 8, batchSize: 3 });
    const dBad = await deletionCurve(ones, unfaithful, quadrantScore, { steps: 8 });
    // Faithful: the 16 quadrant pixels go in the first quarter → score falls linearly to 0 by 0.25: AUC = 0.125.
    expect(dGood.auc).toBeCloseTo(0.125, 6);
    expect(dBad.auc).toBeCloseTo(0.75 + 0.125, 6);
    expect(Array.from(dGood.scores.slice(0, 3))).toEqual([1, 0.5, 0]);
    const iGood = await insertionCurve(ones, faithful, quadrantScore, { steps: 8, substrate: new Float32Array(H * W) });
    const iBad = await insertionCurve(ones, unfaithful, quadrantScore, { steps: 8, substrate: new Float32Array(H * W) });
    expect(iGood.auc).toBeCloseTo(1 - 0.125, 6);
    expect(iBad.auc).toBeCloseTo(0.125, 6);
  });
  it('rejects a map of the wrong size', async () => {
    await expect(deletionCurve(ones, new Float32Array(3), quadrantScore)).rejects.toThrow(/resize the map/);
  });
});

describe('ROAD with noisy linear imputation (Rong et al. 2022)', () => {
  it('imputation reproduces a linear ramp exactly (no noise) and leaves known pixels alone', () => {
    const h = 9, w = 9;
    const img: Image = { data: Float32Array.from({ length: h * w }, (_, i) => (i % w) / (w - 1)), channels: 1, height: h, width: w };
    const mask = new Uint8Array(h * w);
    for (let y = 3; y < 6; y++) for (let x = 3; x < 6; x++) mask[y * w + x] = 1;
    const out = noisyLinearImpute(img, mask, { noise: 0 });
    for (let i = 0; i < h * w; i++) expect(out[i]).toBeCloseTo(img.data[i]!, 4);
    const noisy = noisyLinearImpute(img, mask, { noise: 0.05, seed: 3 });
    let moved = 0;
    for (let i = 0; i < h * w; i++) { if (!mask[i]) expect(noisy[i]).toBe(img.data[i]); else moved += Math.abs(noisy[i]! - img.data[i]!); }
    expect(moved).toBeGreaterThan(0);
  });
  it('MoRF falls and LeRF stays for a faithful map on a textured image', async () => {
    // Checkerboard so imputation cannot restore the quadrant's values from outside.
    const tex: Image = { data: Float32Array.from({ length: H * W }, (_, i) => (((i % W) + ((i / W) | 0)) % 2 ? 1 : 0.2)), channels: 1, height: H, width: W };
    // Score = texture energy of the quadrant: mean (x − 0.6)², 0.16 on the checkerboard.
    const energy: Predict = async (batch, n) => {
      const out = new Float32Array(n);
      for (let b = 0; b < n; b++) {
        let s = 0;
        for (let y = 0; y < H / 2; y++) for (let x = 0; x < W / 2; x++) s += (batch[b * H * W + y * W + x]! - 0.6) ** 2;
        out[b] = s / (H * W / 4);
      }
      return out;
    };
    const r = await road(tex, faithful, energy, { percentages: [25], noise: 0 });
    const base = (await energy(tex.data, 1))[0]!;
    expect(base).toBeCloseTo(0.16, 6);
    expect(Math.abs(r.lerf[0]! - base)).toBeLessThan(1e-6); // least-relevant 25% lie outside the quadrant
    expect(Math.abs(r.morf[0]! - base)).toBeGreaterThan(0.05); // the quadrant was replaced
  });
});
