// Turning uint8 image sets into normalised float NCHW batches (done per batch, so a 60,000-image set stays
// at 47 MB of bytes instead of 188 MB of floats).
import type { LabelledImages } from '../data/idx.ts';
import type { Preprocessing } from '../data/types.ts';

/** Images (N×C×H×W bytes, or N×H×W for gray) with optional class labels. */
export interface ImageSet {
  images: Uint8Array;
  labels?: Uint8Array;
  count: number;
  channels: number;
  height: number;
  width: number;
}

export function imageSet(d: LabelledImages, channels = 1): ImageSet {
  const need = d.count * channels * d.height * d.width;
  if (d.images.length !== need) throw new Error(`image set: ${d.images.length} bytes, ${d.count}×${channels}×${d.height}×${d.width} needs ${need}`);
  return { images: d.images, labels: d.labels, count: d.count, channels, height: d.height, width: d.width };
}

/** The first `n` images (tests, quick runs). */
export function subset(s: ImageSet, n: number): ImageSet {
  const k = Math.min(n, s.count), per = s.channels * s.height * s.width;
  return { ...s, count: k, images: s.images.subarray(0, k * per), labels: s.labels?.subarray(0, k) };
}

/** Per-channel affine map byte → (byte/255 − mean)/std, as scale·byte + shift. */
export function normaliser(p: Pick<Preprocessing, 'mean' | 'std'>, channels: number): { scale: Float32Array; shift: Float32Array } {
  const scale = new Float32Array(channels), shift = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const m = p.mean[p.mean.length === 1 ? 0 : c], s = p.std[p.std.length === 1 ? 0 : c];
    if (m === undefined || s === undefined || !(s > 0)) throw new Error(`preprocessing: mean/std do not cover channel ${c} (std must be > 0)`);
    scale[c] = 1 / (255 * s);
    shift[c] = -m / s;
  }
  return { scale, shift };
}

export interface Batch {
  x: Float32Array;
  /** Class labels as int64 (what the cross-entropy target expects), when the set has labels. */
  labels?: BigInt64Array;
  n: number;
}

/** Gather items `indices[from..to)` into one normalised batch. */
export function makeBatch(s: ImageSet, indices: ArrayLike<number>, from: number, to: number, norm: { scale: Float32Array; shift: Float32Array }): Batch {
  const n = to - from, plane = s.height * s.width, per = s.channels * plane;
  const x = new Float32Array(n * per);
  const labels = s.labels ? new BigInt64Array(n) : undefined;
  for (let b = 0; b < n; b++) {
    const i = indices[from + b]!;
    const src = i * per, dst = b * per;
    for (let c = 0; c < s.channels; c++) {
      const sc = norm.scale[c]!, sh = norm.shift[c]!, o = c * plane;
      for (let k = 0; k < plane; k++) x[dst + o + k] = s.images[src + o + k]! * sc + sh;
    }
    if (labels) labels[b] = BigInt(s.labels![i]!);
  }
  return { x, labels, n };
}
