// The autoencoder against the linear baseline: PCA with as many components as the bottleneck has
// values, fitted on training images, both reconstructing the same test images (model space). A
// non-linear AE worth its name has the lower error.
import { pca, pcaTransform, reconstruct } from '../embed/pca.ts';
import { CancelledError } from '../runtime/index.ts';
import type { AutoencoderWorkbench } from './workbench.ts';
import type { ImageSetSource } from './image-sets.ts';

export interface PcaComparison {
  k: number;
  trainCount: number;
  testCount: number;
  /** Per-image mean squared error over all pixels. */
  aeMse: Float32Array;
  pcaMse: Float32Array;
  aeMeanMse: number;
  pcaMeanMse: number;
  /** Fraction of test images the AE reconstructs better. */
  aeWins: number;
  explainedVariance: number;
  /** First `keep` test images: input, AE and PCA reconstructions (keep × C×H×W). */
  examples: { count: number; input: Float32Array; ae: Float32Array; pca: Float32Array };
  seconds: number;
}

export interface PcaCompareOptions {
  /** Components (default: the bottleneck size). */
  k?: number;
  keep?: number;
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, stage: string) => void;
}

/** Per-row mean squared difference of two n×d matrices. */
export function rowMse(a: Float32Array, b: Float32Array, n: number): Float32Array {
  const d = a.length / n, out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = i * d; j < (i + 1) * d; j++) { const e = a[j]! - b[j]!; s += e * e; }
    out[i] = s / d;
  }
  return out;
}

const mean = (a: Float32Array) => { let s = 0; for (const v of a) s += v; return a.length ? s / a.length : NaN; };

export async function compareWithPca(wb: AutoencoderWorkbench, train: ImageSetSource, test: ImageSetSource, o: PcaCompareOptions = {}): Promise<PcaComparison> {
  const t0 = performance.now();
  const d = wb.sampleSize;
  const k = o.k ?? wb.latentSize;
  if (!Number.isInteger(k) || k < 1 || k > Math.min(d, train.count)) throw new Error(`PCA: k = ${k} components needs 1 ≤ k ≤ min(pixels ${d}, training images ${train.count})`);
  o.onProgress?.(0, 3, 'reading training images');
  const x = await train.read(0, train.count);
  if (o.signal?.aborted) throw new CancelledError();
  o.onProgress?.(1, 3, `fitting PCA (k = ${k}) on ${train.count} images`);
  const fit = pca(x, train.count, d, k);
  if (o.signal?.aborted) throw new CancelledError();
  o.onProgress?.(2, 3, 'reconstructing test images');
  const n = test.count, batch = o.batchSize ?? 500, keep = Math.min(o.keep ?? 8, n);
  const aeMse = new Float32Array(n), pcaMse = new Float32Array(n);
  const ex = { count: keep, input: new Float32Array(keep * d), ae: new Float32Array(keep * d), pca: new Float32Array(keep * d) };
  for (let from = 0; from < n; from += batch) {
    if (o.signal?.aborted) throw new CancelledError();
    const to = Math.min(n, from + batch), m = to - from;
    const t = await test.read(from, to);
    const r = await wb.forward(t, m, o.signal);
    const p = reconstruct(fit, pcaTransform(fit, t, m), m);
    aeMse.set(rowMse(r.recon, t, m), from);
    pcaMse.set(rowMse(p, t, m), from);
    if (from < keep) {
      const c = Math.min(keep, to) - from;
      ex.input.set(t.subarray(0, c * d), from * d);
      ex.ae.set(r.recon.subarray(0, c * d), from * d);
      ex.pca.set(p.subarray(0, c * d), from * d);
    }
  }
  o.onProgress?.(3, 3, 'done');
  let wins = 0;
  for (let i = 0; i < n; i++) if (aeMse[i]! < pcaMse[i]!) wins++;
  let ev = 0;
  for (const v of fit.explainedVarianceRatio) ev += v;
  return {
    k, trainCount: train.count, testCount: n, aeMse, pcaMse, aeMeanMse: mean(aeMse), pcaMeanMse: mean(pcaMse), aeWins: wins / n,
    explainedVariance: ev, examples: ex, seconds: (performance.now() - t0) / 1000,
  };
}
