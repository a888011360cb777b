// The training graph: the forward model plus a loss and gradients w.r.t. the trainable initializers,
// which become graph inputs so each step can feed the current weights (core/autodiff does the maths).
import type { ModelProto } from '../onnx/proto.ts';
import { buildGradientModel } from '../autodiff/index.ts';
import type { LossKind } from './losses.ts';

export interface TrainingGraph {
  model: ModelProto;
  /** Scalar loss output. */
  lossOutput: string;
  /** Input fed with int64 labels [N] (cross-entropy) or the target tensor (mse/l1). */
  labelsInput: string;
  /** Trainable initializer → gradient output. */
  gradients: Record<string, string>;
}

/** The tensor the loss reads: for cross-entropy a trailing Softmax is skipped (the loss wants logits). */
export function lossTensor(model: ModelProto, output: string, loss: LossKind): string {
  if (loss !== 'softmax-cross-entropy') return output;
  const producer = model.graph?.node.find((n) => n.output.includes(output));
  return producer?.opType === 'Softmax' ? producer.input[0]! : output;
}

export function buildTrainingModel(model: ModelProto, o: { output: string; loss: LossKind; trainable: string[] }): TrainingGraph {
  const used = new Set<string>();
  for (const v of model.graph?.input ?? []) used.add(v.name);
  let labelsInput = 'train.labels';
  while (used.has(labelsInput)) labelsInput += '_';
  const gm = buildGradientModel(model, {
    target: { kind: 'loss', loss: o.loss, tensor: lossTensor(model, o.output, o.loss), labelsInput },
    wrt: o.trainable,
    initializersAsInputs: o.trainable,
    keepOutputs: true,
  });
  for (const p of o.trainable) if (!gm.gradients[p]) throw new Error(`autodiff returned no gradient for ${p}`);
  return { model: gm.model, lossOutput: gm.targetOutput, labelsInput, gradients: gm.gradients };
}
