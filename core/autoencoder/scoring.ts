// Per-image error maps and anomaly scores (core/anomaly/error-map.ts, averaged over channels), and
// scoring a whole set in batches: scores, normal/anomalous labels, ROC/PR, a threshold at a target
// FPR on the normals, the confusion there, histograms split by label and the worst-scored images.
import { anomalyScore, errorMap, scoreOfErrorMap, type ErrorKind, type ScoreKind } from '../anomaly/error-map.ts';
import { auroc, confusionAt, histogram, prCurve, rocCurve, thresholdForFpr, type Confusion, type PrCurve, type RocCurve } from '../anomaly/roc.ts';
import { CancelledError } from '../runtime/index.ts';
import type { AutoencoderWorkbench } from './workbench.ts';
import type { ImageSetSource } from './image-sets.ts';

export type { ErrorKind, ScoreKind };
export interface ScoreOptions { score: ScoreKind; error: ErrorKind; dataRange?: number; smoothSigma?: number }

export const DEFAULT_SCORE: ScoreOptions = { score: 'mean', error: 'l2' };

/** Error map of one image (C×H×W, channel mean) and its score. */
export function imageError(input: Float32Array, recon: Float32Array, dims: readonly number[], o: ScoreOptions): { map: Float32Array; score: number } {
  const [c, h, w] = dims as [number, number, number];
  const plane = h * w;
  const map = new Float32Array(plane);
  let score = 0;
  for (let ch = 0; ch < c; ch++) {
    const a = { data: input.subarray(ch * plane, (ch + 1) * plane), height: h, width: w };
    const b = { data: recon.subarray(ch * plane, (ch + 1) * plane), height: h, width: w };
    const e = errorMap(a, b, o.error, o.dataRange ?? 1);
    for (let i = 0; i < plane; i++) map[i] += e.data[i]! / c;
    // The map is the score's input unless the score is SSIM over an L1/L2 map: compute it once.
    score += (o.score === 'ssim' ? anomalyScore(a, b, 'ssim', { dataRange: o.dataRange ?? 1 }) : scoreOfErrorMap(e, o.score, o.smoothSigma)) / c;
  }
  return { map, score };
}

/** Scores of n images in a batch. */
export function batchScores(input: Float32Array, recon: Float32Array, n: number, dims: readonly number[], o: ScoreOptions): Float32Array {
  const per = dims.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  if (o.score === 'mean' && o.error !== 'ssim') {
    // The mean over channels of each channel's mean error is the mean over all values: no map needed.
    const l1 = o.error === 'l1';
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = i * per, end = j + per; j < end; j++) { const d = input[j]! - recon[j]!; s += l1 ? Math.abs(d) : d * d; }
      out[i] = s / per;
    }
    return out;
  }
  for (let i = 0; i < n; i++) out[i] = imageError(input.subarray(i * per, (i + 1) * per), recon.subarray(i * per, (i + 1) * per), dims, o).score;
  return out;
}

/**
 * Labels → 1 (anomalous) / 0 (normal). `normal` names the normal labels; without it a label "normal"
 * (any case) is the normal class. Returns undefined when the set has no labels.
 */
export function binaryLabels(labels: readonly string[] | undefined, normal?: readonly string[]): Uint8Array | undefined {
  if (!labels) return undefined;
  const distinct = [...new Set(labels)];
  let normals = normal && normal.length ? new Set(normal) : undefined;
  if (!normals) {
    const n = distinct.find((l) => l.toLowerCase() === 'normal');
    if (!n) throw new Error(`which labels are normal? the set's labels are ${distinct.slice(0, 8).map((l) => `"${l}"`).join(', ')}${distinct.length > 8 ? ', …' : ''}; name them (--normal-label / normalLabels)`);
    normals = new Set([n]);
  }
  const missing = [...normals].filter((l) => !distinct.includes(l));
  if (missing.length === normals.size) throw new Error(`no item has the normal label ${[...normals].map((l) => `"${l}"`).join(', ')}; the set's labels are ${distinct.slice(0, 8).map((l) => `"${l}"`).join(', ')}`);
  return Uint8Array.from(labels, (l) => (normals!.has(l) ? 0 : 1));
}

export interface WorstItem { index: number; name: string; label?: string; score: number; input: Float32Array; recon: Float32Array; errorMap: Float32Array }

export interface SetEvaluation {
  threshold: number;
  targetFpr: number;
  roc: RocCurve;
  pr: PrCurve;
  auroc: number;
  averagePrecision: number;
  confusion: Confusion;
  normalCount: number;
  anomalousCount: number;
}

export interface ScoreSetResult {
  scores: Float32Array;
  names: string[];
  labels?: string[];
  /** 1 = anomalous. */
  anomalous?: Uint8Array;
  /** Why there is no evaluation (no labels, no normal label named). */
  labelNote?: string;
  /** Present when both normal and anomalous items exist. */
  evaluation?: SetEvaluation;
  /** Shared bin edges; counts per group (all items when unlabelled). */
  histogram: { edges: Float64Array; normal: Uint32Array; anomalous: Uint32Array; all: Uint32Array };
  worst: WorstItem[];
  /** Bottleneck codes (n × latentSize) when asked for. */
  latents?: Float32Array;
  seconds: number;
}

export interface ScoreSetOptions extends Partial<ScoreOptions> {
  batchSize?: number;
  normalLabels?: readonly string[];
  targetFpr?: number;
  worst?: number;
  bins?: number;
  keepLatents?: boolean;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** Threshold, ROC/PR, AUROC/AP and the confusion at the threshold for scores with 0/1 labels. */
export function evaluateScores(scores: ArrayLike<number>, anomalous: Uint8Array, targetFpr: number): SetEvaluation | undefined {
  const normals: number[] = [];
  let nAnom = 0;
  for (let i = 0; i < anomalous.length; i++) { if (anomalous[i]) nAnom++; else normals.push(scores[i]!); }
  if (normals.length === 0 || nAnom === 0) return undefined;
  const threshold = thresholdForFpr(normals, targetFpr);
  const pr = prCurve(scores, anomalous);
  return {
    threshold, targetFpr, roc: rocCurve(scores, anomalous), pr, auroc: auroc(scores, anomalous), averagePrecision: pr.averagePrecision,
    confusion: confusionAt(scores, anomalous, threshold), normalCount: normals.length, anomalousCount: nAnom,
  };
}

function splitHistogram(scores: Float32Array, anomalous: Uint8Array | undefined, bins: number): ScoreSetResult['histogram'] {
  const all = histogram(scores, bins);
  let lo = Infinity, hi = -Infinity;
  for (const s of scores) { if (s < lo) lo = s; if (s > hi) hi = s; }
  const range: [number, number] | undefined = scores.length ? [lo, hi] : undefined;
  const pick = (want: number) => Float32Array.from(scores.filter((_, i) => (anomalous?.[i] ?? 0) === want));
  const normal = anomalous ? histogram(pick(0), bins, range).counts : all.counts;
  const anom = anomalous ? histogram(pick(1), bins, range).counts : new Uint32Array(all.counts.length);
  return { edges: all.edges, normal, anomalous: anom, all: all.counts };
}

export async function scoreSet(wb: AutoencoderWorkbench, set: ImageSetSource, o: ScoreSetOptions = {}): Promise<ScoreSetResult> {
  const t0 = performance.now();
  const so: ScoreOptions = { score: o.score ?? 'mean', error: o.error ?? 'l2', dataRange: o.dataRange ?? wb.dataRange, smoothSigma: o.smoothSigma };
  let anomalous: Uint8Array | undefined, labelNote: string | undefined;
  if (set.labels && (o.normalLabels?.length || set.labels.some((l) => l.toLowerCase() === 'normal'))) anomalous = binaryLabels(set.labels, o.normalLabels);
  else if (set.labels) labelNote = `the set has labels (${[...new Set(set.labels)].slice(0, 6).join(', ')}) but none is marked normal; name the normal labels to get ROC/PR and a threshold`;
  else labelNote = 'the set has no labels: scores only (no ROC/PR)';
  const batch = Math.max(1, Math.min(o.batchSize ?? 256, 4096));
  const n = set.count;
  const scores = new Float32Array(n);
  const latents = o.keepLatents ? new Float32Array(n * wb.latentSize) : undefined;
  // Batch i+1 is read and runs in the runtime's worker while batch i is scored here.
  const start = async (from: number) => {
    const x = await set.read(from, Math.min(n, from + batch));
    return { from, x, r: await wb.forward(x, Math.min(n, from + batch) - from, o.signal) };
  };
  let pending: ReturnType<typeof start> | null = n > 0 ? start(0) : null;
  try {
    while (pending) {
      const { from, x, r } = await pending;
      pending = null;
      const to = Math.min(n, from + batch);
      if (o.signal?.aborted) throw new CancelledError(`scoring cancelled after ${from} of ${n} images`);
      if (to < n) pending = start(to);
      scores.set(batchScores(x, r.recon, to - from, wb.sampleDims, so), from);
      latents?.set(r.latent, from * wb.latentSize);
      o.onProgress?.(to, n);
    }
  } finally {
    // A batch still in flight when scoring stops (cancel, an error) must not reject unobserved.
    (pending as Promise<unknown> | null)?.catch(() => undefined);
  }
  const evaluation = anomalous ? evaluateScores(scores, anomalous, o.targetFpr ?? 0.05) : undefined;
  // Worst = highest scores; their maps are recomputed (k small runs) rather than kept for every item.
  const k = Math.min(o.worst ?? 8, n);
  const order = Array.from(scores.keys()).sort((a, b) => scores[b]! - scores[a]! || a - b).slice(0, k);
  const worst: WorstItem[] = [];
  for (const i of order) {
    if (o.signal?.aborted) throw new CancelledError();
    const x = await set.read(i, i + 1);
    const r = await wb.forward(x, 1, o.signal);
    const e = imageError(x, r.recon, wb.sampleDims, so);
    worst.push({ index: i, name: set.itemName(i), label: set.labels?.[i], score: scores[i]!, input: x, recon: r.recon, errorMap: e.map });
  }
  return {
    scores, names: Array.from({ length: n }, (_, i) => set.itemName(i)), labels: set.labels, anomalous, evaluation, labelNote,
    histogram: splitHistogram(scores, anomalous, o.bins ?? 50), worst, latents, seconds: (performance.now() - t0) / 1000,
  };
}

export interface ReconstructionItem { input: Float32Array; recon: Float32Array; errorMap: Float32Array; scores: Record<ScoreKind, number>; latent: Float32Array }

/** Input, reconstruction, error map (chosen kind) and all three scores for each of n images. */
export async function reconstructItems(wb: AutoencoderWorkbench, x: Float32Array, n: number, error: ErrorKind = 'l2', signal?: AbortSignal): Promise<ReconstructionItem[]> {
  const r = await wb.forward(x, n, signal);
  const per = wb.sampleSize, k = wb.latentSize, dataRange = wb.dataRange;
  const out: ReconstructionItem[] = [];
  for (let i = 0; i < n; i++) {
    const a = x.slice(i * per, (i + 1) * per), b = r.recon.slice(i * per, (i + 1) * per);
    const scores = {} as Record<ScoreKind, number>;
    for (const s of ['mean', 'max-smoothed', 'ssim'] as const) scores[s] = imageError(a, b, wb.sampleDims, { score: s, error, dataRange }).score;
    out.push({ input: a, recon: b, errorMap: imageError(a, b, wb.sampleDims, { score: 'mean', error, dataRange }).map, scores, latent: r.latent.slice(i * k, (i + 1) * k) });
  }
  return out;
}
