// Graph rewrites the explainers need on top of core/autodiff and core/onnx/expose:
// - guided backpropagation (Springenberg et al. 2015, eq. in §3.4): at every ReLU the backward
//   signal is also masked by its own sign, R_l = (f_l > 0) · (R_{l+1} > 0) · R_{l+1}. The autodiff
//   ReLU rule emits Where(Greater(y, 0), g, 0); we wrap g in a Relu, which adds the (R > 0) mask.
// - channel ablation (Ablation-CAM): a Mul by a per-sample, per-channel mask input right after the
//   chosen layer, so one batched run zeroes a different channel in each sample.
import { clone, create, NodeProtoSchema } from '../onnx/proto.ts';
import type { ModelProto, NodeProto } from '../onnx/proto.ts';
import { makeAttribute, makeValueInfo } from '../onnx/builder.ts';
import { makeTensor } from '../onnx/tensor-proto.ts';

/** Nodes and graph lists copied so edits do not touch `model` (initializer data stays shared). */
function editableCopy(model: ModelProto): ModelProto {
  const g = model.graph!;
  return { ...model, graph: { ...g, node: [...g.node], input: [...g.input], output: [...g.output], initializer: [...g.initializer] } };
}

/**
 * Turn a gradient model built by core/autodiff from `forward` into guided backpropagation.
 * Returns the number of ReLUs rewritten (0 means the model has no ReLU: guided = plain gradient).
 */
export function guideReluGradients(gradModel: ModelProto, forward: ModelProto): { model: ModelProto; rewritten: number } {
  const reluOut = new Set(forward.graph!.node.filter((n) => n.opType === 'Relu').map((n) => n.output[0]!));
  const m = editableCopy(gradModel);
  const g = m.graph!;
  const producer = new Map<string, NodeProto>();
  for (const n of g.node) for (const o of n.output) producer.set(o, n);
  const nodes: NodeProto[] = [];
  let rewritten = 0;
  for (const n of g.node) {
    const cond = n.opType === 'Where' ? producer.get(n.input[0]!) : undefined;
    if (cond && cond.opType === 'Greater' && reluOut.has(cond.input[0]!)) {
      const pos = `guided/${n.name || n.output[0]}/pos`;
      nodes.push(create(NodeProtoSchema, { name: pos, opType: 'Relu', input: [n.input[1]!], output: [pos] }));
      const w = clone(NodeProtoSchema, n);
      w.input = [n.input[0]!, pos, ...n.input.slice(2)];
      nodes.push(w);
      rewritten++;
    } else nodes.push(n);
  }
  g.node = nodes;
  return { model: m, rewritten };
}

/** Feed `maskInput` [N, K, 1, 1] to scale the channels of `tensor` before any consumer reads it. */
export function insertChannelMask(model: ModelProto, tensor: string, maskInput: string, channels: number): ModelProto {
  const m = editableCopy(model);
  const g = m.graph!;
  const masked = `${tensor}/ablated`;
  g.node = g.node.map((n) => {
    if (!n.input.includes(tensor)) return n;
    const c = clone(NodeProtoSchema, n);
    c.input = n.input.map((i) => (i === tensor ? masked : i));
    return c;
  });
  const at = g.node.findIndex((n) => n.output.includes(tensor));
  g.node.splice(at + 1, 0, create(NodeProtoSchema, { name: masked, opType: 'Mul', input: [tensor, maskInput], output: [masked] }));
  g.input.push(makeValueInfo(maskInput, ['N', channels, 1, 1]));
  // A graph output that was the layer itself keeps its unmasked value.
  return m;
}

/**
 * Make a gradient model pick its own class: the one-hot weights input of the weighted-sum target
 * becomes OneHot(ArgMax(scores)) computed in the graph, so explaining the top-1 class needs one
 * forward+backward pass instead of a forward pass to find the class and then the gradient pass.
 */
export function selfTargetWeights(gradModel: ModelProto, scoreTensor: string, weightsInput: string, classes: number): ModelProto {
  const m = editableCopy(gradModel);
  const g = m.graph!;
  const at = g.node.findIndex((n) => n.output.includes(scoreTensor));
  if (at < 0 || !g.input.some((i) => i.name === weightsInput)) throw new Error('explain: internal: cannot find the class scores or the weights input in the gradient model');
  g.input = g.input.filter((i) => i.name !== weightsInput);
  const p = `${weightsInput}/auto`;
  g.initializer.push(makeTensor(`${p}/depth`, BigInt64Array.of(BigInt(classes)), [1], 'int64'), makeTensor(`${p}/values`, Float32Array.of(0, 1), [2], 'float32'));
  const nodes = [
    create(NodeProtoSchema, { name: `${p}/argmax`, opType: 'ArgMax', input: [scoreTensor], output: [`${p}/argmax`], attribute: [makeAttribute('axis', 1), makeAttribute('keepdims', 0)] }),
    create(NodeProtoSchema, { name: `${p}/onehot`, opType: 'OneHot', input: [`${p}/argmax`, `${p}/depth`, `${p}/values`], output: [weightsInput], attribute: [makeAttribute('axis', -1)] }),
  ];
  g.node.splice(at + 1, 0, ...nodes);
  return m;
}
