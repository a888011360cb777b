// Seeded corruptions for denoising: additive Gaussian, salt-and-pepper, and masking noise (a random
// fraction of pixels set to black, as in Vincent et al. 2008). Work on [0, 1] pixels, C×H×W; a pixel
// is corrupted in all channels at once. Results are clipped to [0, 1].
import { Rng } from '../train/rng.ts';

export type NoiseKind = 'gaussian' | 'salt-pepper' | 'masking';

export interface NoiseOptions {
  kind: NoiseKind;
  /** gaussian: standard deviation; salt-pepper and masking: fraction of pixels hit. */
  amount: number;
  seed: number;
  channels?: number;
}

export function addNoise(pixels: Float32Array, o: NoiseOptions): Float32Array {
  if (!(o.amount >= 0) || !Number.isFinite(o.amount)) throw new Error(`noise amount must be a number ≥ 0 (got ${o.amount})`);
  if (o.kind !== 'gaussian' && o.amount > 1) throw new Error(`${o.kind} noise: the amount is a fraction of pixels, 0 to 1 (got ${o.amount})`);
  const c = o.channels ?? 1, plane = pixels.length / c;
  if (!Number.isInteger(plane)) throw new Error(`noise: ${pixels.length} values do not split into ${c} channels`);
  const rng = new Rng(o.seed);
  const out = Float32Array.from(pixels);
  const clip = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);
  if (o.kind === 'gaussian') {
    for (let i = 0; i < out.length; i++) out[i] = clip(out[i]! + o.amount * rng.normal());
    return out;
  }
  for (let p = 0; p < plane; p++) {
    if (rng.next() >= o.amount) continue;
    const v = o.kind === 'masking' ? 0 : rng.next() < 0.5 ? 0 : 1;
    for (let ch = 0; ch < c; ch++) out[ch * plane + p] = v;
  }
  return out;
}

export const mse = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) { const e = a[i]! - b[i]!; s += e * e; }
  return a.length ? s / a.length : NaN;
};
