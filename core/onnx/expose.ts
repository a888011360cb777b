// Makes intermediate tensors graph outputs so a runtime session returns them (activations).
import { clone, create, ValueInfoProtoSchema } from './proto.ts';
import type { GraphProto, ModelProto, ValueInfoProto } from './proto.ts';
import { ModelError } from './errors.ts';

/**
 * A copy of `model` whose main graph also outputs `tensorNames` (already-output names are left as they are).
 * The copy shares nodes and initializers with `model`: treat both as read-only afterwards.
 */
export function exposeOutputs(model: ModelProto, tensorNames: readonly string[]): ModelProto {
  const g = model.graph;
  if (!g) throw new ModelError('no-graph', 'the model has no graph, so there are no tensors to expose');
  const produced = new Set<string>();
  for (const n of g.node) for (const o of n.output) if (o !== '') produced.add(o);
  const known = new Set([...produced, ...g.input.map((i) => i.name), ...g.initializer.map((t) => t.name)]);
  const missing = tensorNames.filter((n) => !known.has(n));
  if (missing.length > 0) {
    const sample = [...produced].slice(0, 5).map((s) => `"${s}"`).join(', ');
    throw new ModelError('unknown-tensor', `no tensor named ${missing.map((m) => `"${m}"`).join(', ')} in the main graph; tensor names come from node outputs (e.g. ${sample}${produced.size > 5 ? ', …' : ''})`);
  }
  const declared = new Map<string, ValueInfoProto>();
  for (const v of [...g.valueInfo, ...g.input]) declared.set(v.name, v);
  const outputs = [...g.output];
  const already = new Set(outputs.map((o) => o.name));
  for (const name of tensorNames) {
    if (already.has(name)) continue;
    already.add(name);
    // Reuse a declared type when the file has one; otherwise the runtime infers it.
    const vi = declared.get(name);
    outputs.push(vi ? clone(ValueInfoProtoSchema, vi) : create(ValueInfoProtoSchema, { name }));
  }
  // Shallow copies: only the output list differs, so weights (hundreds of MB for VGG) are shared, not cloned.
  const graph: GraphProto = { ...g, output: outputs };
  return { ...model, graph };
}
