// Per-item scalars read off a model's output while features are extracted, so an embedding can be
// coloured by them without a second inference pass: a classifier's confidence (max softmax
// probability) and prediction entropy (nats); an autoencoder's anomaly score (mean squared
// reconstruction error in model space, core/autoencoder/scoring's default score).
import { batchScores, DEFAULT_SCORE } from '../autoencoder/scoring.ts';

export type OutputScalarName = 'confidence' | 'entropy' | 'anomaly';

/** Rows that are already probabilities (a Softmax output): non-negative, summing to 1. */
function areProbabilities(p: Float32Array, rows: number, k: number): boolean {
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let j = 0; j < k; j++) { const v = p[r * k + j]!; if (!(v >= 0 && v <= 1)) return false; s += v; }
    if (Math.abs(s - 1) > 1e-3) return false;
  }
  return true;
}

/** Confidence and entropy of `rows` × `k` logits (or probabilities). */
export function classifierScalars(out: Float32Array, rows: number, k: number): { confidence: Float32Array; entropy: Float32Array } {
  const confidence = new Float32Array(rows), entropy = new Float32Array(rows);
  const probs = areProbabilities(out, rows, k);
  const p = new Float64Array(k);
  for (let r = 0; r < rows; r++) {
    const o = r * k;
    if (probs) for (let j = 0; j < k; j++) p[j] = out[o + j]!;
    else {
      // Stable softmax: subtract the row maximum.
      let mx = -Infinity;
      for (let j = 0; j < k; j++) mx = Math.max(mx, out[o + j]!);
      let s = 0;
      for (let j = 0; j < k; j++) { p[j] = Math.exp(out[o + j]! - mx); s += p[j]!; }
      for (let j = 0; j < k; j++) p[j]! /= s;
    }
    let best = 0, h = 0;
    for (let j = 0; j < k; j++) { const v = p[j]!; if (v > best) best = v; if (v > 0) h -= v * Math.log(v); }
    confidence[r] = best; entropy[r] = h;
  }
  return { confidence, entropy };
}

/**
 * Scalars of one batch: `input` is the batch fed (N × …inputDims), `output` the model's first output.
 * Returns {} when the output is neither class scores nor a reconstruction.
 */
export function outputScalars(input: Float32Array, inputDims: readonly number[], output: Float32Array, outputDims: readonly number[]): Partial<Record<OutputScalarName, Float32Array>> {
  const n = inputDims[0] ?? 0;
  if (!n || outputDims[0] !== n) return {};
  // Same shape as the input first: a flat autoencoder's [N, 784] output is a reconstruction, not 784 classes.
  const same = outputDims.length === inputDims.length && outputDims.every((d, i) => d === inputDims[i]);
  if (same && output.length === input.length) {
    // batchScores works on C×H×W planes; flat or 2-D items become one plane.
    const item = inputDims.slice(1);
    const dims = item.length === 3 ? item : item.length === 2 ? [1, item[0]!, item[1]!] : [1, 1, item.reduce((a, b) => a * b, 1)];
    return { anomaly: batchScores(input, output, n, dims, DEFAULT_SCORE) };
  }
  if (outputDims.length === 2 && outputDims[1]! > 1) return classifierScalars(output, n, outputDims[1]!);
  return {};
}
