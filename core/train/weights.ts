// Moving weights between a ModelProto and the Float32Arrays the optimiser updates.
import { clone, create, ModelProtoSchema, StringStringEntryProtoSchema, TensorProto_DataType as DT } from '../onnx/proto.ts';
import type { ModelProto, TensorProto } from '../onnx/proto.ts';
import { makeValueInfo } from '../onnx/builder.ts';
import { dimsOf, tensorFloats } from '../onnx/tensor-proto.ts';
import type { ParamSet } from './optimizers.ts';

export interface ParamInfo { name: string; dims: number[] }

/** Float initializers that training updates: all float32 ones except `exclude` (e.g. BN running stats)
 *  and ones consumed only as shapes (Reshape targets are int64, so the dtype check already skips them). */
export function trainableInitializers(model: ModelProto, exclude: Iterable<string> = []): ParamInfo[] {
  const skip = new Set(exclude);
  const g = model.graph;
  if (!g) throw new Error('model has no graph');
  return g.initializer
    .filter((t) => t.dataType === DT.FLOAT && !skip.has(t.name))
    .map((t) => ({ name: t.name, dims: dimsOf(t) }));
}

/** A float32 copy of an initializer's values. Float raw_data is copied byte-wise: tensorFloats() goes through
 *  rawData.slice().buffer, which for a Node Buffer (models read by some loaders) is the whole shared pool. */
function floatCopy(t: TensorProto): Float32Array {
  const n = dimsOf(t).reduce((a, b) => a * b, 1);
  if (t.dataType === DT.FLOAT && t.rawData.length > 0) {
    if (t.rawData.length !== n * 4) throw new Error(`initializer ${t.name}: raw_data has ${t.rawData.length} bytes, dims need ${n * 4}`);
    const bytes = new Uint8Array(n * 4);
    bytes.set(t.rawData);
    return new Float32Array(bytes.buffer);
  }
  const v = Float32Array.from(tensorFloats(t));
  if (v.length !== n) throw new Error(`initializer ${t.name}: ${v.length} values, dims need ${n}`);
  return v;
}

/** Current values of the named initializers (copies). */
export function readWeights(model: ModelProto, names: readonly string[]): ParamSet {
  const byName = new Map(model.graph!.initializer.map((t) => [t.name, t]));
  const out: ParamSet = new Map();
  for (const n of names) {
    const t = byName.get(n);
    if (!t) throw new Error(`model has no initializer named ${n}`);
    out.set(n, floatCopy(t));
  }
  return out;
}

/** A copy of `model` with the given initializers replaced by `weights` and metadata entries set. */
export function modelWithWeights(model: ModelProto, weights: ParamSet, metadata: Record<string, string> = {}): ModelProto {
  const m = clone(ModelProtoSchema, model);
  const seen = new Set<string>();
  for (const t of m.graph!.initializer) {
    const w = weights.get(t.name);
    if (!w) continue;
    const n = dimsOf(t).reduce((a, b) => a * b, 1);
    if (w.length !== n) throw new Error(`weights for ${t.name}: ${w.length} values, initializer has ${n}`);
    t.dataType = DT.FLOAT;
    t.floatData = [];
    const raw = new Uint8Array(w.byteLength);
    raw.set(new Uint8Array(w.buffer, w.byteOffset, w.byteLength));
    t.rawData = raw;
    seen.add(t.name);
  }
  for (const k of weights.keys()) if (!seen.has(k)) throw new Error(`model has no initializer named ${k}`);
  const props = m.metadataProps.filter((p) => !(p.key in metadata));
  for (const [key, value] of Object.entries(metadata)) props.push(create(StringStringEntryProtoSchema, { key, value }));
  m.metadataProps = props;
  return m;
}

/** A copy of `model` whose named initializers are graph inputs instead (fed with current weights at run time). */
export function initializersToInputs(model: ModelProto, names: readonly string[]): ModelProto {
  const m = clone(ModelProtoSchema, model);
  const g = m.graph!;
  const want = new Set(names);
  const moved = g.initializer.filter((t) => want.has(t.name));
  if (moved.length !== want.size) throw new Error('initializersToInputs: some names are not initializers');
  g.initializer = g.initializer.filter((t) => !want.has(t.name));
  // Drop stale input entries (IR < 4 lists initializers as inputs too) before adding ours.
  g.input = g.input.filter((i) => !want.has(i.name));
  for (const t of moved) g.input.push(makeValueInfo(t.name, dimsOf(t), 'float32'));
  return m;
}
