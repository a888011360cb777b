// The autodiff API: turn a forward ONNX model into one that also outputs gradients.
import type { ModelProto } from '../onnx/proto.ts';

/** The scalar to differentiate. */
export type GradTarget =
  /** s = Σ tensor ⊙ W, with W fed at run time as a graph input named `weightsInput` (same shape as tensor).
   *  A one-hot W selects a class logit; per-sample rows select a class per batch item. */
  | { kind: 'weighted-sum'; tensor: string; weightsInput: string }
  /** s = tensor[index] for one element (e.g. logit of class c for batch item 0). */
  | { kind: 'element'; tensor: string; index: number[] }
  /** Training losses, averaged over the batch. `labelsInput` is added as a graph input:
   *  int64 class indices [N] for softmax-cross-entropy, a tensor like `tensor` for mse/l1.
   *  softmax-cross-entropy: `tensor` holds logits [N, C] (or [N, C, d…] with labels [N, d…]); mean over
   *  the N (·d…) items. mse/l1: mean over all elements (PyTorch's reduction='mean'). */
  | { kind: 'loss'; loss: 'softmax-cross-entropy' | 'mse' | 'l1'; tensor: string; labelsInput: string };

export interface GradientRequest {
  target: GradTarget;
  /** Tensors to differentiate with respect to: graph inputs, intermediate tensors or initializers.
   *  A tensor the target does not depend on gets an exactly zero gradient. */
  wrt: string[];
  /** Initializers turned into graph inputs (so a trainer can feed updated weights each step). */
  initializersAsInputs?: string[];
  /** Keep the model's original outputs as outputs of the gradient model (default true). */
  keepOutputs?: boolean;
}

export interface GradientModel {
  model: ModelProto;
  /** wrt tensor name → name of the output holding its gradient (same shape as the tensor). */
  gradients: Record<string, string>;
  /** Name of the output holding the scalar target (loss value for 'loss'). */
  targetOutput: string;
  /** Inputs the caller must feed besides the original ones (weights input, labels, initializers). */
  extraInputs: string[];
}
