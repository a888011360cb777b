// Shared by the zoo tests: run a ModelProto in onnxruntime-node and read initializers.
import * as ort from 'onnxruntime-node';
import { toBinary, ModelProtoSchema, type ModelProto } from '../../core/onnx/proto.ts';
import { makeValueInfo } from '../../core/onnx/builder.ts';
import { tensorFloats } from '../../core/onnx/tensor-proto.ts';

export interface RunOut { dims: number[]; data: Float32Array }

/** Runs `model` on `input` ([1, C, H, W]); `extra` names intermediate tensors to fetch too. */
export async function runModel(model: ModelProto, input: Float32Array, dims: readonly number[], extra: readonly string[] = []): Promise<Record<string, RunOut>> {
  if (extra.length) {
    model = { ...model, graph: { ...model.graph!, output: [...model.graph!.output, ...extra.map((n) => makeValueInfo(n, undefined))] } };
  }
  const session = await ort.InferenceSession.create(toBinary(ModelProtoSchema, model));
  try {
    const r = await session.run({ input: new ort.Tensor('float32', input, [...dims]) });
    const out: Record<string, RunOut> = {};
    for (const [k, v] of Object.entries(r)) out[k] = { dims: v.dims.map(Number), data: v.data as Float32Array };
    return out;
  } finally {
    await session.release();
  }
}

export function initializer(model: ModelProto, name: string): Float32Array {
  const t = model.graph!.initializer.find((i) => i.name === name);
  if (!t) throw new Error(`no initializer ${name}`);
  return tensorFloats(t);
}

export function initializerDims(model: ModelProto, name: string): number[] {
  const t = model.graph!.initializer.find((i) => i.name === name);
  if (!t) throw new Error(`no initializer ${name}`);
  return t.dims.map(Number);
}

export function meanStd(a: Float32Array): { mean: number; std: number } {
  let s = 0, s2 = 0;
  for (const v of a) { s += v; s2 += v * v; }
  const mean = s / a.length;
  return { mean, std: Math.sqrt(s2 / a.length - mean * mean) };
}

/** Deterministic pseudo-random input in [0, 1) (independent of the zoo RNG). */
export function testInput(n: number, seed = 1): Float32Array {
  const a = new Float32Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; a[i] = (x >>> 0) / 4294967296; }
  return a;
}

export function metadata(model: ModelProto, key: string): string | undefined {
  return model.metadataProps.find((p) => p.key === key)?.value;
}
