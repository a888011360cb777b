// Confusion counts at any threshold, recomputed in the renderer from the set's scores and 0/1 labels,
// so dragging the threshold updates them without a round trip. Score ≥ threshold = flagged anomalous.
export interface Confusion { tp: number; fp: number; tn: number; fn: number }

export function confusionAt(scores: Float32Array, anomalous: Uint8Array, threshold: number): Confusion {
  let tp = 0, fp = 0, tn = 0, fn = 0;
  for (let i = 0; i < scores.length; i++) {
    const flagged = scores[i]! >= threshold;
    if (anomalous[i]) { if (flagged) tp++; else fn++; } else if (flagged) fp++; else tn++;
  }
  return { tp, fp, tn, fn };
}

/** Lowest threshold whose false-positive rate on the normals is at most `fpr`. */
export function thresholdForFpr(scores: Float32Array, anomalous: Uint8Array, fpr: number): number {
  const normals: number[] = [];
  for (let i = 0; i < scores.length; i++) if (!anomalous[i]) normals.push(scores[i]!);
  if (normals.length === 0) return 0;
  normals.sort((a, b) => b - a);
  const allowed = Math.floor(fpr * normals.length);
  // Flag strictly above the (allowed+1)-th highest normal score.
  if (allowed >= normals.length) return normals[normals.length - 1]!;
  const v = normals[allowed]!;
  return nextUp(v);
}

function nextUp(v: number): number {
  return v + Math.max(Math.abs(v) * 1e-6, 1e-12);
}

export const rate = (num: number, den: number): number => (den > 0 ? num / den : 0);
