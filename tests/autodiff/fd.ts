// Reusable gradient checker: compares buildGradientModel's gradients with central finite differences
// of the same scalar target, both evaluated by onnxruntime-node (float32 graph, float64 bookkeeping).
import * as ort from 'onnxruntime-node';
import { toBinary, ModelProtoSchema, clone, create, NodeProtoSchema } from '../../core/onnx/proto.ts';
import type { ModelProto } from '../../core/onnx/proto.ts';
import { makeValueInfo } from '../../core/onnx/builder.ts';
import { tensorFloats, dimsOf } from '../../core/onnx/tensor-proto.ts';
import { buildGradientModel } from '../../core/autodiff/index.ts';
import type { GradientRequest, GradientModel } from '../../core/autodiff/types.ts';

export interface Feed { data: Float32Array | BigInt64Array; dims: number[] }
export type Feeds = Record<string, Feed>;

export interface FdOptions {
  eps?: number;
  /** Pass when max |g − fd| ≤ rtol·max(|fd|, |g|) + atol over the sampled coordinates. */
  rtol?: number;
  atol?: number;
  /** Coordinates checked per wrt tensor (all when the tensor is smaller). */
  samples?: number;
  seed?: number;
}

export interface FdResult {
  wrt: string;
  coords: number;
  maxErr: number;
  scale: number;
  ok: boolean;
  worst: { index: number; grad: number; fd: number };
}

export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
}

export function randn(n: number, r: () => number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (r() * 2 - 1) * scale;
  return a;
}

const sessionOpts: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1 };

export async function session(model: ModelProto): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(toBinary(ModelProtoSchema, model), sessionOpts);
}

function toOrt(feeds: Feeds): Record<string, ort.Tensor> {
  return Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor(v.data instanceof BigInt64Array ? 'int64' : 'float32', v.data, v.dims)]));
}

/** Feeds for initializers the request turns into inputs, taken from the model. */
function initializerFeeds(model: ModelProto, names: readonly string[]): Feeds {
  const out: Feeds = {};
  for (const n of names) {
    const t = model.graph!.initializer.find((i) => i.name === n);
    if (!t) throw new Error(`fd: no initializer ${n}`);
    out[n] = { data: tensorFloats(t), dims: dimsOf(t) };
  }
  return out;
}

/** Copy of `model` where each intermediate tensor t becomes t_pre + delta_t (delta_t a new input). */
function withDeltas(model: ModelProto, names: string[], dims: Record<string, number[]>): { model: ModelProto; deltas: Record<string, string> } {
  const m = clone(ModelProtoSchema, model);
  const g = m.graph!;
  const deltas: Record<string, string> = {};
  for (const t of names) {
    const producer = g.node.find((n) => n.output.includes(t));
    if (!producer) throw new Error(`fd: ${t} is not a node output`);
    const pre = `${t}__fd_pre`, d = `${t}__fd_delta`;
    producer.output = producer.output.map((o) => (o === t ? pre : o));
    g.node.push(create(NodeProtoSchema, { name: `${t}__fd_add`, opType: 'Add', input: [pre, d], output: [t] }));
    g.input.push(makeValueInfo(d, dims[t]!, 'float32'));
    deltas[t] = d;
  }
  return { model: m, deltas };
}

export interface GradRun { gm: GradientModel; values: Record<string, Float32Array>; dims: Record<string, number[]>; target: number }

/** Run the gradient model once. */
export async function runGradients(model: ModelProto, req: GradientRequest, feeds: Feeds): Promise<GradRun> {
  const gm = buildGradientModel(model, req);
  const s = await session(gm.model);
  const all = { ...feeds, ...initializerFeeds(model, req.initializersAsInputs ?? []) };
  const out = await s.run(toOrt(all));
  const values: Record<string, Float32Array> = {}, dims: Record<string, number[]> = {};
  for (const [w, o] of Object.entries(gm.gradients)) { values[w] = out[o]!.data as Float32Array; dims[w] = [...out[o]!.dims]; }
  const target = Number((out[gm.targetOutput]!.data as Float32Array)[0]);
  await s.release();
  return { gm, values, dims, target };
}

export async function checkGradients(model: ModelProto, req: GradientRequest, feeds: Feeds, opts: FdOptions = {}): Promise<FdResult[]> {
  const eps = opts.eps ?? 1e-2, rtol = opts.rtol ?? 1e-2, atol = opts.atol ?? 1e-4, samples = opts.samples ?? 24;
  const r = rng(opts.seed ?? 7);
  const run = await runGradients(model, req, feeds);
  const g = model.graph!;
  const isInput = (t: string) => g.input.some((i) => i.name === t);
  const isInit = (t: string) => g.initializer.some((i) => i.name === t);
  const inits = req.wrt.filter((t) => isInit(t) && !isInput(t));
  const inner = req.wrt.filter((t) => !isInit(t) && !isInput(t));
  const { model: fm, deltas } = withDeltas(model, inner, run.dims);
  const asInputs = [...new Set([...(req.initializersAsInputs ?? []), ...inits])];
  const fdGm = buildGradientModel(fm, { target: req.target, wrt: [], initializersAsInputs: asInputs });
  const s = await session(fdGm.model);
  const base: Feeds = { ...feeds, ...initializerFeeds(model, asInputs) };
  for (const t of inner) base[deltas[t]!] = { data: new Float32Array(run.values[t]!.length), dims: run.dims[t]! };
  const evalAt = async (f: Feeds) => Number(((await s.run(toOrt(f)))[fdGm.targetOutput]!.data as Float32Array)[0]);

  const results: FdResult[] = [];
  for (const w of req.wrt) {
    const grad = run.values[w]!;
    const feedName = deltas[w] ?? w;
    const orig = base[feedName]!.data as Float32Array;
    const n = grad.length;
    let idx = Array.from({ length: n }, (_, i) => i);
    if (n > samples) {
      // Random coordinates plus the largest-gradient one (where a wrong formula shows most).
      let best = 0;
      for (let i = 1; i < n; i++) if (Math.abs(grad[i]!) > Math.abs(grad[best]!)) best = i;
      const set = new Set([best]);
      while (set.size < samples) set.add(Math.floor(r() * n));
      idx = [...set];
    }
    let maxErr = 0, scale = 0;
    let worst = { index: -1, grad: 0, fd: 0 };
    for (const i of idx) {
      const x0 = orig[i]!;
      const plus = new Float32Array(orig), minus = new Float32Array(orig);
      plus[i] = x0 + eps; minus[i] = x0 - eps;
      const h = plus[i]! - minus[i]!; // actual float32 step
      const fp = await evalAt({ ...base, [feedName]: { data: plus, dims: base[feedName]!.dims } });
      const fmn = await evalAt({ ...base, [feedName]: { data: minus, dims: base[feedName]!.dims } });
      const fd = (fp - fmn) / h;
      const err = Math.abs(fd - grad[i]!);
      scale = Math.max(scale, Math.abs(fd), Math.abs(grad[i]!));
      if (err > maxErr) { maxErr = err; worst = { index: i, grad: grad[i]!, fd }; }
    }
    results.push({ wrt: w, coords: idx.length, maxErr, scale, ok: maxErr <= rtol * scale + atol && scale > 0, worst });
  }
  await s.release();
  return results;
}

/** Readable failure text for expect(). */
export function summary(rs: FdResult[]): string {
  return rs.map((r) => `${r.wrt}: ${r.ok ? 'ok' : 'FAIL'} err=${r.maxErr.toExponential(2)} scale=${r.scale.toExponential(2)} n=${r.coords} worst@${r.worst.index} g=${r.worst.grad.toFixed(5)} fd=${r.worst.fd.toFixed(5)}`).join('\n');
}
