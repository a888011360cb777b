// A model that computes only what the requested tensors need: exposeOutputs makes them graph
// outputs, then every node they do not depend on (later layers, the classifier head) is dropped,
// together with its initializers. An early layer of VGG16 then compiles and runs in milliseconds.
import { exposeOutputs } from '../onnx/expose.ts';
import { nodeReads } from '../onnx/graph.ts';
import type { GraphProto, ModelProto } from '../onnx/proto.ts';
import { ModelError } from '../onnx/errors.ts';

export function extractSubModel(model: ModelProto, outputs: readonly string[]): ModelProto {
  if (outputs.length === 0) throw new ModelError('unknown-tensor', 'no tensors were requested');
  const exposed = exposeOutputs(model, outputs);
  const g = exposed.graph!;
  const producer = new Map<string, number>();
  g.node.forEach((n, i) => { for (const o of n.output) if (o !== '') producer.set(o, i); });
  const keep = new Set<number>();
  const needed = new Set<string>();
  const stack = [...outputs];
  while (stack.length) {
    const t = stack.pop()!;
    if (needed.has(t)) continue;
    needed.add(t);
    const p = producer.get(t);
    if (p === undefined || keep.has(p)) continue;
    keep.add(p);
    for (const r of nodeReads(g.node[p]!)) stack.push(r);
  }
  const wanted = new Set(outputs);
  const graph: GraphProto = {
    ...g,
    node: g.node.filter((_, i) => keep.has(i)),
    initializer: g.initializer.filter((t) => needed.has(t.name)),
    sparseInitializer: g.sparseInitializer.filter((s) => needed.has(s.values?.name ?? '')),
    // Every graph input stays (callers feed the same input); unused ones are harmless to onnxruntime.
    input: g.input.filter((i) => needed.has(i.name) || !g.initializer.some((t) => t.name === i.name)),
    output: outputs.map((o) => g.output.find((v) => v.name === o)!).filter((v) => v !== undefined && wanted.has(v.name)),
    valueInfo: g.valueInfo.filter((v) => needed.has(v.name)),
  };
  return { ...exposed, graph };
}
