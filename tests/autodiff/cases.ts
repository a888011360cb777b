// Small single-op (or few-op) models for gradient checks.
import { GraphBuilder, float, type Attrs } from '../../core/onnx/builder.ts';
import type { ModelProto } from '../../core/onnx/proto.ts';
import type { GradientRequest } from '../../core/autodiff/types.ts';
import { randn, rng, type Feeds } from './fd.ts';

export interface Case { model: ModelProto; req: GradientRequest; feeds: Feeds }

const size = (d: number[]) => d.reduce((a, b) => a * b, 1);

/** Values in ±[lo, hi] (away from 0, e.g. for Relu kinks). */
export function awayFromZero(n: number, r: () => number, lo = 0.1, hi = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (r() < 0.5 ? -1 : 1) * (lo + (hi - lo) * r());
  return a;
}

/** Distinct values (no ties for max pooling): a shuffled ramp. */
export function distinct(n: number, r: () => number, step = 0.01): Float32Array {
  const a = Float32Array.from({ length: n }, (_, i) => (i - n / 2) * step);
  for (let i = n - 1; i > 0; i--) { const j = Math.floor(r() * (i + 1)); [a[i], a[j]] = [a[j]!, a[i]!]; }
  return a;
}

export interface OpSpec {
  op: string;
  /** Graph inputs (fed) and initializers (weights) with dims; optional custom data. */
  inputs: { name: string; dims: number[]; init?: boolean; data?: Float32Array; empty?: boolean; ints?: number[] }[];
  attrs?: Attrs;
  outputs?: number;
  /** wrt names; "out" means the op's output (an intermediate when `post` adds an op after it). */
  wrt: string[];
  seed?: number;
  /** Add Tanh after the op so its output is an intermediate tensor. */
  post?: boolean;
  /** Output index the target reads. */
  targetOutput?: number;
  opset?: number;
}

export function opCase(s: OpSpec): Case {
  const r = rng(s.seed ?? 11);
  const b = new GraphBuilder('case', s.opset);
  const feeds: Feeds = {};
  const names: string[] = [];
  for (const i of s.inputs) {
    if (i.empty) { names.push(''); continue; }
    if (i.ints) { names.push(b.initializer(i.name, BigInt64Array.from(i.ints, (v) => BigInt(v)), i.dims)); continue; }
    const data = i.data ?? randn(size(i.dims), r);
    if (i.init) names.push(b.initializer(i.name, data, i.dims));
    else { names.push(b.input(i.name, i.dims)); feeds[i.name] = { data, dims: i.dims }; }
  }
  const outs = b.node(s.op, names, s.attrs ?? {}, { outputs: s.outputs ?? 1, name: 'op' });
  let t = outs[s.targetOutput ?? 0]!;
  const opOut = t;
  if (s.post) t = b.op('Tanh', [t], {}, 'post');
  b.output(t);
  const model = b.build();
  const wrt = s.wrt.map((w) => (w === 'out' ? opOut : w));
  return { model, feeds, req: { target: { kind: 'weighted-sum', tensor: t, weightsInput: 'W' }, wrt } };
}

/** Feed for the weighted-sum weights, shaped like the target (known after a first run). */
export function weightFeed(dims: number[], seed = 5): Feeds {
  return { W: { data: randn(size(dims), rng(seed)), dims } };
}

export { float };

import { buildGradientModel } from '../../core/autodiff/index.ts';
import { checkGradients, type FdOptions, type FdResult } from './fd.ts';

/** Run FD checks for a case; the weighted-sum weights get random values shaped as the build inferred. */
export async function checkCase(c: Case, opts: FdOptions = {}): Promise<FdResult[]> {
  const feeds = { ...c.feeds };
  const t = c.req.target;
  if (t.kind === 'weighted-sum' && !feeds[t.weightsInput]) {
    const gm = buildGradientModel(c.model, c.req);
    const vi = gm.model.graph!.input.find((i) => i.name === t.weightsInput)!;
    const tt = vi.type!.value.value as { shape?: { dim: { value: { case: string | undefined; value?: unknown } }[] } };
    const dims = tt.shape!.dim.map((d) => {
      if (d.value.case !== 'dimValue') throw new Error(`weights input has a non-static dim`);
      return Number(d.value.value as bigint);
    });
    Object.assign(feeds, weightFeed(dims, opts.seed ?? 5));
  }
  return checkGradients(c.model, c.req, feeds, { eps: 1e-3, ...opts });
}
