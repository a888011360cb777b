// Faithfulness scores of a map for one image, through the lead's deletion/insertion/ROAD
// (faithfulness.ts), with the model run batched as the predict callback.
import type { ExplainModel } from './model.ts';
import { softmaxRow } from './model.ts';
import { deletionCurve, insertionCurve, road, type Predict, type RoadResult } from './faithfulness.ts';

export interface FaithfulnessScores {
  /** Lower is better (the class probability falls fast when the salient pixels go). */
  deletionAuc: number;
  /** Higher is better. */
  insertionAuc: number;
  road: RoadResult;
}

/** Softmax probability of `target` for each image of a batch. */
export function classProbability(em: ExplainModel, target: number, signal?: AbortSignal): Predict {
  return async (batch, count) => {
    const scores = await em.scores(batch, count, { signal });
    const k = scores.length / count, out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = softmaxRow(scores, i * k, k)[target]!;
    return out;
  };
}

export async function faithfulness(em: ExplainModel, x: Float32Array, map: ArrayLike<number>, target: number, opts: { steps?: number; signal?: AbortSignal } = {}): Promise<FaithfulnessScores> {
  const [C, H, W] = em.inputShape;
  const img = { data: x, channels: C, height: H, width: W };
  const predict = classProbability(em, target, opts.signal);
  const steps = opts.steps ?? 50;
  const batchSize = em.forwardBatch;
  const del = await deletionCurve(img, map, predict, { steps, batchSize, signal: opts.signal });
  const ins = await insertionCurve(img, map, predict, { steps, batchSize, signal: opts.signal });
  const r = await road(img, map, predict, { signal: opts.signal });
  return { deletionAuc: del.auc, insertionAuc: ins.auc, road: r };
}
