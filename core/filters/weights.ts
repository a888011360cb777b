// The kernel tensor of a Conv layer, found through the node's W input: an initializer, or a chain
// of Identity nodes / a Constant node ending in one. Anything computed (quantised weights,
// weights fed as a graph input) is reported by name rather than guessed.
import { attrTensor } from '../onnx/graph.ts';
import type { ModelProto, NodeProto, TensorProto } from '../onnx/proto.ts';
import { dimsOf, tensorFloats } from '../onnx/tensor-proto.ts';
import { closeMatches } from '../activations/layers.ts';

export class FilterError extends Error {
  readonly code = 'invalid-request';
  constructor(message: string) {
    super(message);
    this.name = 'FilterError';
  }
}

export interface ConvWeights {
  /** Node name (or output tensor name when the node is unnamed). */
  layer: string;
  op: 'Conv' | 'ConvTranspose';
  /** Name of the tensor holding the weights. */
  weight: string;
  /** How the weights were reached, e.g. ['initializer'] or ['Identity', 'initializer']. */
  via: string[];
  /** Conv: [out, in/groups, kH, kW]; ConvTranspose: [in, out/groups, kH, kW]. */
  dims: number[];
  data: Float32Array;
  groups: number;
  bias?: Float32Array;
}

const CONV_OPS = new Set(['Conv', 'ConvTranspose']);

function convLayerNames(model: ModelProto): string[] {
  return (model.graph?.node ?? []).filter((n) => CONV_OPS.has(n.opType)).map((n) => n.name || n.output[0] || '');
}

function findConv(model: ModelProto, layer: string): NodeProto {
  const g = model.graph;
  if (!g) throw new FilterError('the model has no graph');
  const node = g.node.find((n) => n.name === layer) ?? g.node.find((n) => n.output.includes(layer));
  const convs = convLayerNames(model);
  if (!node) {
    const close = closeMatches(layer, convs, 5);
    throw new FilterError(`no layer named "${layer}"; ${close.length ? `did you mean ${close.map((c) => `"${c}"`).join(', ')}? ` : ''}convolution layers: ${convs.slice(0, 12).join(', ')}${convs.length > 12 ? ', …' : ''}`);
  }
  if (!CONV_OPS.has(node.opType)) {
    throw new FilterError(`layer "${layer}" is a ${node.opType}, not a convolution; filters exist for Conv layers (${convs.slice(0, 8).join(', ')}${convs.length > 8 ? ', …' : ''})`);
  }
  return node;
}

function resolveTensor(model: ModelProto, name: string, what: string): { tensor: TensorProto; via: string[] } {
  const g = model.graph!;
  const via: string[] = [];
  let cur = name;
  for (let hop = 0; hop < 16; hop++) {
    const init = g.initializer.find((t) => t.name === cur);
    if (init) return { tensor: init, via: [...via, 'initializer'] };
    const prod = g.node.find((n) => n.output.includes(cur));
    if (!prod) {
      const isInput = g.input.some((i) => i.name === cur);
      throw new FilterError(`${what} "${cur}" is ${isInput ? 'a graph input fed at run time' : 'not defined in the model'}, so the weights are not stored in the file`);
    }
    if (prod.opType === 'Identity') { via.push('Identity'); cur = prod.input[0] ?? ''; continue; }
    if (prod.opType === 'Constant') {
      const t = attrTensor(prod, 'value');
      if (!t) throw new FilterError(`${what} comes from Constant node "${prod.name}", which holds no tensor "value" (sparse or scalar constants are not supported)`);
      return { tensor: t, via: [...via, 'Constant'] };
    }
    throw new FilterError(`${what} is computed by ${prod.opType} node "${prod.name || prod.output[0]}" (e.g. dequantised or reshaped weights); only weights stored as initializers, Constant or Identity outputs can be shown`);
  }
  throw new FilterError(`${what}: more than 16 Identity nodes in a row`);
}

export function convWeights(model: ModelProto, layer: string): ConvWeights {
  const node = findConv(model, layer);
  const label = node.name || node.output[0] || layer;
  const wName = node.input[1];
  if (!wName) throw new FilterError(`${node.opType} layer "${label}" has no weight input`);
  const { tensor, via } = resolveTensor(model, wName, `the weights of "${label}"`);
  const dims = dimsOf(tensor);
  if (dims.length !== 4) throw new FilterError(`the weights of "${label}" have ${dims.length} dimensions [${dims.join('×')}]; only 2-D convolutions (4-D kernels) are shown`);
  let data: Float32Array;
  try { data = tensorFloats(tensor); } catch (e) { throw new FilterError(`the weights of "${label}" cannot be read: ${(e as Error).message}`); }
  const groupsAttr = node.attribute.find((a) => a.name === 'group');
  const groups = groupsAttr ? Number(groupsAttr.i) : 1;
  let bias: Float32Array | undefined;
  if (node.input[2]) {
    try { bias = tensorFloats(resolveTensor(model, node.input[2], `the bias of "${label}"`).tensor); } catch { bias = undefined; }
  }
  return { layer: label, op: node.opType as ConvWeights['op'], weight: tensor.name || wName, via, dims, data, groups, ...(bias ? { bias } : {}) };
}
