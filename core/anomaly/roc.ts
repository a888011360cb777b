// Threshold metrics for anomaly scores: ROC (with AUROC), precision–recall (with average
// precision), confusion counts at a threshold, and the threshold that meets a target false-positive
// rate on normal data. Convention: higher score = more anomalous; label 1 = anomalous (positive).

export interface RocCurve {
  /** False-positive rate at each distinct threshold, from (0,0) to (1,1). */
  fpr: Float64Array;
  tpr: Float64Array;
  /** Threshold for each point: predict anomalous when score >= threshold (Infinity for the first point). */
  thresholds: Float64Array;
  auc: number;
}

export interface PrCurve {
  recall: Float64Array;
  precision: Float64Array;
  thresholds: Float64Array;
  /** Average precision: Σ (R_n − R_{n−1}) P_n, as scikit-learn defines it. */
  averagePrecision: number;
}

export interface Confusion { tp: number; fp: number; tn: number; fn: number; tpr: number; fpr: number; precision: number }

function checkInputs(scores: ArrayLike<number>, labels: ArrayLike<number>): { pos: number; neg: number } {
  if (scores.length !== labels.length) throw new Error(`anomaly metrics: ${scores.length} scores but ${labels.length} labels`);
  let pos = 0;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (l !== 0 && l !== 1) throw new Error(`anomaly metrics: label ${l} at ${i} is not 0 (normal) or 1 (anomalous)`);
    if (!Number.isFinite(scores[i]!)) throw new Error(`anomaly metrics: score at ${i} is not a finite number`);
    pos += l;
  }
  return { pos, neg: labels.length - pos };
}

/** Indices sorted by descending score. */
function order(scores: ArrayLike<number>): Uint32Array {
  const idx = new Uint32Array(scores.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  return idx.sort((a, b) => scores[b]! - scores[a]!);
}

/** Walk thresholds from high to low, emitting cumulative (tp, fp) at each distinct score. */
function sweep(scores: ArrayLike<number>, labels: ArrayLike<number>): { tps: number[]; fps: number[]; thr: number[] } {
  const idx = order(scores);
  const tps: number[] = [], fps: number[] = [], thr: number[] = [];
  let tp = 0, fp = 0;
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k]!;
    if (labels[i] === 1) tp++; else fp++;
    const next = k + 1 < idx.length ? scores[idx[k + 1]!]! : -Infinity;
    if (next !== scores[i]) { tps.push(tp); fps.push(fp); thr.push(scores[i]!); }
  }
  return { tps, fps, thr };
}

export function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<number>): RocCurve {
  const { pos, neg } = checkInputs(scores, labels);
  if (pos === 0 || neg === 0) throw new Error('ROC needs both normal (0) and anomalous (1) examples');
  const { tps, fps, thr } = sweep(scores, labels);
  const n = tps.length + 1;
  const fpr = new Float64Array(n), tpr = new Float64Array(n), thresholds = new Float64Array(n);
  thresholds[0] = Infinity;
  for (let k = 0; k < tps.length; k++) { fpr[k + 1] = fps[k]! / neg; tpr[k + 1] = tps[k]! / pos; thresholds[k + 1] = thr[k]!; }
  // Trapezoids: ties between a normal and an anomalous score count one half, as the Mann–Whitney U does.
  let auc = 0;
  for (let k = 1; k < n; k++) auc += (fpr[k]! - fpr[k - 1]!) * (tpr[k]! + tpr[k - 1]!) / 2;
  return { fpr, tpr, thresholds, auc };
}

export function auroc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  return rocCurve(scores, labels).auc;
}

export function prCurve(scores: ArrayLike<number>, labels: ArrayLike<number>): PrCurve {
  const { pos } = checkInputs(scores, labels);
  if (pos === 0) throw new Error('a precision–recall curve needs at least one anomalous (1) example');
  const { tps, fps, thr } = sweep(scores, labels);
  const n = tps.length;
  const recall = new Float64Array(n), precision = new Float64Array(n), thresholds = new Float64Array(n);
  let ap = 0, prevR = 0;
  for (let k = 0; k < n; k++) {
    recall[k] = tps[k]! / pos;
    precision[k] = tps[k]! / (tps[k]! + fps[k]!);
    thresholds[k] = thr[k]!;
    ap += (recall[k]! - prevR) * precision[k]!;
    prevR = recall[k]!;
  }
  return { recall, precision, thresholds, averagePrecision: ap };
}

/** Counts when predicting anomalous for score >= threshold. */
export function confusionAt(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number): Confusion {
  const { pos, neg } = checkInputs(scores, labels);
  let tp = 0, fp = 0;
  for (let i = 0; i < scores.length; i++) {
    if (scores[i]! >= threshold) { if (labels[i] === 1) tp++; else fp++; }
  }
  return { tp, fp, tn: neg - fp, fn: pos - tp, tpr: pos ? tp / pos : 0, fpr: neg ? fp / neg : 0, precision: tp + fp ? tp / (tp + fp) : 1 };
}

/**
 * The lowest threshold whose false-positive rate on `normalScores` is at most `targetFpr`
 * (predict anomalous when score >= threshold). Lower thresholds catch more anomalies, so the
 * lowest admissible one is the most sensitive choice.
 */
export function thresholdForFpr(normalScores: ArrayLike<number>, targetFpr: number): number {
  if (!(targetFpr >= 0 && targetFpr <= 1)) throw new Error(`target false-positive rate ${targetFpr} is not between 0 and 1`);
  const n = normalScores.length;
  if (n === 0) throw new Error('a threshold for a false-positive rate needs scores of images marked normal');
  const s = Float64Array.from(normalScores).sort(); // ascending
  const allowed = Math.floor(targetFpr * n); // normal images that may score at or above the threshold
  if (allowed >= n) return -Infinity;
  // Threshold just above the (n − allowed)-th smallest score: exactly `allowed` normals (fewer with ties) reach it.
  const v = s[n - allowed - 1]!;
  return nextUp(v);
}

function nextUp(x: number): number {
  if (Number.isNaN(x) || x === Infinity) return x;
  if (x === 0) return Number.MIN_VALUE;
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const bits = buf.getBigInt64(0);
  buf.setBigInt64(0, x > 0 ? bits + 1n : bits - 1n);
  return buf.getFloat64(0);
}

/** Histogram of scores over `bins` equal bins spanning [min, max] (for the score chart). */
export function histogram(scores: ArrayLike<number>, bins: number, range?: [number, number]): { edges: Float64Array; counts: Uint32Array } {
  if (!Number.isInteger(bins) || bins < 1 || bins > 10_000) throw new Error(`histogram: ${bins} bins is not between 1 and 10,000`);
  let lo = range?.[0] ?? Infinity, hi = range?.[1] ?? -Infinity;
  if (!range) for (let i = 0; i < scores.length; i++) { lo = Math.min(lo, scores[i]!); hi = Math.max(hi, scores[i]!); }
  if (!Number.isFinite(lo)) { lo = 0; hi = 1; }
  if (hi === lo) hi = lo + 1;
  const edges = new Float64Array(bins + 1);
  for (let b = 0; b <= bins; b++) edges[b] = lo + ((hi - lo) * b) / bins;
  const counts = new Uint32Array(bins);
  for (let i = 0; i < scores.length; i++) {
    const v = scores[i]!;
    if (v < lo || v > hi) continue;
    counts[Math.min(bins - 1, Math.floor(((v - lo) / (hi - lo)) * bins))]!++;
  }
  return { edges, counts };
}
