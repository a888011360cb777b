// Top-k classes from a classifier output: probabilities as given when they already form a
// distribution, else softmax of the logits. Ties keep the lower class index first.
export interface Prediction { rank: number; index: number; label: string; probability: number; score: number }

export function probabilities(scores: ArrayLike<number>): { probs: Float64Array; softmax: boolean } {
  let sum = 0, inRange = true;
  for (let i = 0; i < scores.length; i++) { const v = scores[i]!; sum += v; if (!(v >= 0 && v <= 1)) inRange = false; }
  if (inRange && scores.length > 1 && Math.abs(sum - 1) < 1e-3) return { probs: Float64Array.from(scores), softmax: false };
  let max = -Infinity;
  for (let i = 0; i < scores.length; i++) if (scores[i]! > max) max = scores[i]!;
  const e = Float64Array.from(scores, (v) => Math.exp(v - max));
  let z = 0;
  for (const v of e) z += v;
  return { probs: e.map((v) => v / z), softmax: true };
}

export function topK(scores: ArrayLike<number>, k: number, labels?: readonly string[]): { top: Prediction[]; softmax: boolean } {
  const { probs, softmax } = probabilities(scores);
  const order = Array.from(probs.keys()).sort((a, b) => probs[b]! - probs[a]! || a - b);
  return {
    softmax,
    top: order.slice(0, Math.max(0, k)).map((i, r) => ({ rank: r + 1, index: i, label: labels?.[i] ?? `class ${i}`, probability: probs[i]!, score: scores[i]! })),
  };
}
