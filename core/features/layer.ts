// Which layer's output an embedding uses by default: the penultimate representation, i.e. the input
// of the last fully connected layer (the last Gemm/MatMul in graph order) — the features the
// classifier's final linear map separates.
import type { ModelProto } from '../onnx/proto.ts';

export class FeatureLayerError extends Error {
  readonly code = 'not-found';
  constructor(message: string) { super(message); this.name = 'FeatureLayerError'; }
}

export function defaultFeatureLayer(model: ModelProto): string {
  const g = model.graph;
  if (!g) throw new FeatureLayerError('the model has no graph');
  const inputs = new Set(g.input.map((i) => i.name));
  const inits = new Set(g.initializer.map((t) => t.name));
  for (let i = g.node.length - 1; i >= 0; i--) {
    const n = g.node[i]!;
    if (n.opType !== 'Gemm' && n.opType !== 'MatMul') continue;
    const x = n.input.find((t) => t !== '' && !inits.has(t));
    if (x && !inputs.has(x)) return x;
  }
  throw new FeatureLayerError('the model has no fully connected layer (Gemm/MatMul) after its input, so there is no default feature layer; name one with --layer (see `receptive inspect MODEL`), or use --pixels');
}
