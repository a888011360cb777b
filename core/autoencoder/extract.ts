// A runnable sub-model between chosen tensors: `inputs` become graph inputs, `outputs` graph outputs,
// and only the nodes on the way are kept. Used to cut an autoencoder's decoder out at its bottleneck.
import type { GraphProto, ModelProto, ValueInfoProto } from '../onnx/proto.ts';
import { makeValueInfo, type Dim } from '../onnx/builder.ts';
import { ModelError } from '../onnx/errors.ts';
import { describeNode, indexGraph, nodeReads, valueInfoElemType } from '../onnx/graph.ts';
import { dtypeOfOnnx } from '../onnx/tensor-proto.ts';
import { inferShapes } from '../analysis/shapes.ts';

export function extractSubgraph(model: ModelProto, inputs: readonly string[], outputs: readonly string[]): ModelProto {
  const g = model.graph;
  if (!g) throw new ModelError('no-graph', 'the model has no graph');
  if (outputs.length === 0) throw new ModelError('unknown-tensor', 'extractSubgraph: name at least one output tensor');
  const idx = indexGraph(g);
  const known = (t: string) => idx.producers.has(t) || idx.inputs.includes(t) || idx.initializers.has(t);
  for (const t of [...inputs, ...outputs]) {
    if (!known(t)) throw new ModelError('unknown-tensor', `no tensor named "${t}" in the model; tensor names come from node outputs (see the layer list)`);
  }
  const stop = new Set(inputs);
  const keep = new Set<number>();
  const needed = new Set<string>();
  const stack = [...outputs];
  while (stack.length) {
    const t = stack.pop()!;
    if (needed.has(t)) continue;
    needed.add(t);
    if (stop.has(t)) continue;
    const p = idx.producers.get(t);
    if (!p) {
      if (idx.initializers.has(t)) continue;
      // An original input read beyond the cut: the new inputs do not determine the outputs.
      throw new ModelError('missing-input',
        `the outputs ${outputs.map((o) => `"${o}"`).join(', ')} also depend on model input "${t}", not only on ${inputs.map((i) => `"${i}"`).join(', ')}; a skip connection bypasses the cut — choose a tensor every path passes through`);
    }
    if (keep.has(p.index)) continue;
    keep.add(p.index);
    for (const r of nodeReads(p.node)) stack.push(r);
  }
  const unused = inputs.filter((i) => !needed.has(i));
  if (unused.length) throw new ModelError('unknown-tensor', `the outputs do not depend on ${unused.map((u) => `"${u}"`).join(', ')}; choose inputs that come before the outputs`);

  const shapes = inferShapes(model);
  const declared = (name: string): ValueInfoProto => {
    const vi = idx.valueInfo.get(name);
    const dtype = dtypeOfOnnx(valueInfoElemType(vi)) ?? 'float32';
    const s = shapes.get(name);
    return makeValueInfo(name, s ? (s as Dim[]) : undefined, dtype);
  };
  for (const i of keep) {
    const n = g.node[i]!;
    if (n.output.some((o) => stop.has(o)) && !n.output.every((o) => stop.has(o) || !needed.has(o))) {
      throw new ModelError('missing-input', `${describeNode(n, i)} produces a chosen input and another needed tensor; choose a different cut`);
    }
  }
  const graph: GraphProto = {
    ...g,
    name: `${g.name || 'model'}[${inputs.join(',')}→${outputs.join(',')}]`,
    node: g.node.filter((_, i) => keep.has(i)),
    initializer: g.initializer.filter((t) => needed.has(t.name)),
    sparseInitializer: [],
    input: inputs.map(declared),
    output: outputs.map((o) => g.output.find((v) => v.name === o) ?? declared(o)),
    valueInfo: g.valueInfo.filter((v) => needed.has(v.name) && !stop.has(v.name)),
  };
  return { ...model, graph };
}
