// Reference (JS) losses and metrics. Training takes its loss from the ONNX gradient model; these are used
// for evaluation and to check that model's numbers.
export type LossKind = 'softmax-cross-entropy' | 'mse' | 'l1';

/** Mean over the batch of −log softmax(logits)[label]; logits are [n, classes] row-major. */
export function softmaxCrossEntropy(logits: Float32Array, labels: ArrayLike<number | bigint>, classes: number): number {
  const n = labels.length;
  if (logits.length !== n * classes) throw new Error(`cross-entropy: ${logits.length} logits do not fit ${n}×${classes}`);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const row = logits.subarray(i * classes, (i + 1) * classes);
    const y = Number(labels[i]);
    if (!(y >= 0 && y < classes)) throw new Error(`cross-entropy: label ${y} of item ${i} is outside 0..${classes - 1}`);
    let max = -Infinity;
    for (const v of row) if (v > max) max = v;
    let sum = 0;
    for (const v of row) sum += Math.exp(v - max);
    total += Math.log(sum) + max - row[y]!;
  }
  return total / n;
}

/** Mean squared error over all elements. */
export function meanSquaredError(pred: Float32Array, target: Float32Array): number {
  if (pred.length !== target.length) throw new Error(`mse: ${pred.length} predictions vs ${target.length} targets`);
  let s = 0;
  for (let i = 0; i < pred.length; i++) { const d = pred[i]! - target[i]!; s += d * d; }
  return s / pred.length;
}

/** Mean absolute error over all elements. */
export function meanAbsoluteError(pred: Float32Array, target: Float32Array): number {
  if (pred.length !== target.length) throw new Error(`l1: ${pred.length} predictions vs ${target.length} targets`);
  let s = 0;
  for (let i = 0; i < pred.length; i++) s += Math.abs(pred[i]! - target[i]!);
  return s / pred.length;
}

/** Number of rows whose arg-max equals the label. */
export function countCorrect(logits: Float32Array, labels: ArrayLike<number | bigint>, classes: number): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0, bestV = -Infinity;
    for (let c = 0; c < classes; c++) { const v = logits[i * classes + c]!; if (v > bestV) { bestV = v; best = c; } }
    if (best === Number(labels[i])) correct++;
  }
  return correct;
}

/** Per-item mean squared error for [n, ...] tensors. */
export function perItemMse(pred: Float32Array, target: Float32Array, n: number): Float64Array {
  if (pred.length !== target.length || pred.length % n) throw new Error(`per-item mse: sizes ${pred.length}/${target.length} do not split into ${n} items`);
  const k = pred.length / n, out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = i * k; j < (i + 1) * k; j++) { const d = pred[j]! - target[j]!; s += d * d; }
    out[i] = s / k;
  }
  return out;
}

/** Area under the ROC curve for scores where higher = more anomalous (Mann–Whitney U, ties count ½). */
export function auroc(normalScores: ArrayLike<number>, anomalyScores: ArrayLike<number>): number {
  const all: { s: number; a: boolean }[] = [];
  for (let i = 0; i < normalScores.length; i++) all.push({ s: normalScores[i]!, a: false });
  for (let i = 0; i < anomalyScores.length; i++) all.push({ s: anomalyScores[i]!, a: true });
  if (!normalScores.length || !anomalyScores.length) throw new Error('auroc: needs at least one normal and one anomalous score');
  all.sort((x, y) => x.s - y.s);
  // Sum of (average) ranks of the anomalies.
  let rankSum = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j < all.length && all[j]!.s === all[i]!.s) j++;
    const avgRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (all[k]!.a) rankSum += avgRank;
    i = j;
  }
  const nA = anomalyScores.length, nN = normalScores.length;
  return (rankSum - (nA * (nA + 1)) / 2) / (nA * nN);
}
