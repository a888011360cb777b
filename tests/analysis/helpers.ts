// Test helpers: run a model in onnxruntime with every intermediate tensor exposed, and compare
// statically inferred shapes with the shapes onnxruntime actually produces.
import * as ort from 'onnxruntime-node';
import { create, NodeProtoSchema, TensorProtoSchema, TensorProto_DataType as DT } from '../../core/onnx/proto.ts';
import type { ModelProto, NodeProto, TensorProto } from '../../core/onnx/proto.ts';
import type { GraphBuilder } from '../../core/onnx/builder.ts';
import { exposeOutputs } from '../../core/onnx/expose.ts';
import { saveModelBytes } from '../../core/onnx/save.ts';
import { valueInfoDims } from '../../core/onnx/graph.ts';
import type { Shape } from '../../core/analysis/types.ts';

/** Deterministic pseudo-random floats in [-0.5, 0.5). */
export function rand(n: number, seed = 1): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; a[i] = s / 2 ** 32 - 0.5; }
  return a;
}

/** A float initializer with small random values. */
export function weight(b: GraphBuilder, name: string, dims: number[], seed = 7): string {
  return b.initializer(name, rand(dims.reduce((a, c) => a * c, 1), seed), dims);
}

/** An initializer that declares dims but holds no data: enough for static analysis of huge models. */
export function dimsOnly(b: GraphBuilder, name: string, dims: number[]): string {
  const n = b.unique(name);
  b.initializers.push(create(TensorProtoSchema, { name: n, dims: dims.map(BigInt), dataType: DT.FLOAT }));
  return n;
}

export const int64s = (v: number[]): BigInt64Array => BigInt64Array.from(v.map(BigInt));

/** Shapes of every node output as computed by onnxruntime, feeding random data with symbolic dims set to `batch`. */
export async function ortShapes(model: ModelProto, batch = 2): Promise<Map<string, number[]>> {
  const g = model.graph!;
  const names = g.node.flatMap((n) => n.output.filter((o) => o !== ''));
  const exposed = exposeOutputs(model, names);
  // No graph optimisation: we want the shapes of the graph as written, and it keeps session setup cheap.
  const session = await ort.InferenceSession.create(saveModelBytes(exposed), { graphOptimizationLevel: 'disabled' });
  try {
    const inits = new Set(g.initializer.map((t) => t.name));
    const feeds: Record<string, ort.Tensor> = {};
    for (const i of g.input) {
      if (inits.has(i.name)) continue;
      const dims = (valueInfoDims(i) ?? []).map((d) => (typeof d === 'number' ? d : batch));
      feeds[i.name] = new ort.Tensor('float32', rand(dims.reduce((a, c) => a * c, 1), 3), dims);
    }
    const out = await session.run(feeds);
    const shapes = new Map<string, number[]>();
    for (const [k, v] of Object.entries(out)) shapes.set(k, [...v.dims]);
    return shapes;
  } finally {
    await session.release();
  }
}

/**
 * A runtime-equivalent copy for shape checks: every large float initializer becomes a ConstantOfShape
 * node (zeros made at run time), so a 250 MB model serialises and loads in milliseconds. Values do not
 * matter for shapes; dims and graph structure are unchanged.
 */
export function withoutWeights(model: ModelProto, minElements = 4096): ModelProto {
  const g = model.graph!;
  const keep: TensorProto[] = [], made: NodeProto[] = [];
  for (const t of g.initializer) {
    const n = t.dims.reduce((a, d) => a * Number(d), 1);
    if (t.dataType !== DT.FLOAT || n < minElements) { keep.push(t); continue; }
    made.push(create(NodeProtoSchema, {
      name: `zeros_${t.name}`, opType: 'ConstantOfShape', output: [t.name],
      input: [`${t.name}__shape`],
    }));
    keep.push(create(TensorProtoSchema, { name: `${t.name}__shape`, dims: [BigInt(t.dims.length)], dataType: DT.INT64, int64Data: [...t.dims] }));
  }
  const inits = new Set(g.initializer.map((t) => t.name));
  return { ...model, graph: { ...g, initializer: keep, node: [...made, ...g.node], input: g.input.filter((i) => !inits.has(i.name) || keep.some((k) => k.name === i.name)) } };
}

/** Replace symbolic dims by a concrete batch value for comparison with runtime shapes. */
export const concrete = (s: Shape | undefined, batch = 2): (number | string)[] | undefined =>
  s?.map((d) => {
    if (typeof d === 'number') return d;
    const parts = d.split('*').map((p) => (p === 'N' ? batch : Number(p)));
    return parts.every(Number.isFinite) ? parts.reduce((a, b) => a * b, 1) : d;
  });
