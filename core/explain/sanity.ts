// Sanity check for saliency methods (Adebayo et al., "Sanity Checks for Saliency Maps", NeurIPS
// 2018, §3.1 cascading randomisation): re-initialise the learned weights layer by layer from the
// top (output) down, recompute the map for the same image and class, and compare it with the
// original by Spearman rank correlation (of |map| and of the signed map) and SSIM. A method whose
// map barely changes once the top half of the network is random does not depend on what the model
// learned there.
import type { ModelProto, TensorProto } from '../onnx/proto.ts';
import { makeTensor, tensorFloats, dimsOf } from '../onnx/tensor-proto.ts';
import { topoSort } from '../autodiff/index.ts';
import type { Runtime } from '../runtime/index.ts';
import { ExplainModel, withPlainRawData } from './model.ts';
import { explainImage, type TargetChoice } from './explain.ts';
import type { ExplainOptions } from './options.ts';
import { spearman, mapSsim } from './similarity.ts';
import { Rng } from './rng.ts';

/** Ops whose weight (input 1) and bias (input 2) initializers are re-initialised. */
const PARAMETRIC = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul']);

export interface SanityStep {
  /** Layers (node names) random at this step, cumulative from the top. */
  randomized: string[];
  fraction: number;
  spearmanAbs: number;
  spearman: number;
  ssim: number;
}

export interface SanityReport {
  method: string;
  targetClass: number;
  layers: string[];
  steps: SanityStep[];
  /** Mean Spearman of |map| over the steps randomising at most the top half of the layers. */
  score: number;
  /** True when `score` > threshold: the map barely changes with the top half randomised. */
  flagged: boolean;
  threshold: number;
  verdict: string;
}

export interface SanityOptions {
  layer?: string;
  target?: TargetChoice;
  /** Number of cascade steps (default: one per parametric layer, at most 8). */
  steps?: number;
  threshold?: number;
  seed?: number;
  options?: ExplainOptions;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** Parametric layers in reverse topological order (the output layer first). */
export function cascadeLayers(model: ModelProto): { node: string; tensors: string[] }[] {
  const g = model.graph!;
  const inits = new Map(g.initializer.map((t) => [t.name, t] as const));
  const out: { node: string; tensors: string[] }[] = [];
  for (const n of topoSort(g)) {
    if (!PARAMETRIC.has(n.opType)) continue;
    const tensors = n.input.slice(1, 3).filter((i) => inits.has(i) && inits.get(i)!.dataType === 1);
    if (tensors.length) out.push({ node: n.name || n.output[0]!, tensors });
  }
  return out.reverse();
}

/** A copy of `model` whose listed initializers are redrawn from N(0, σ²), σ = the tensor's own std (He's σ when constant). */
export function randomizeInitializers(model: ModelProto, names: ReadonlySet<string>, seed: number): ModelProto {
  const g = model.graph!;
  const initializer = g.initializer.map((t, index): TensorProto => {
    if (!names.has(t.name)) return t;
    // One stream per tensor: a layer keeps its random values as the cascade goes deeper.
    const rng = new Rng((seed * 1000003 + index * 7919) >>> 0);
    const v = tensorFloats(t), dims = dimsOf(t);
    let m = 0; for (const x of v) m += x; m /= v.length || 1;
    let s = 0; for (const x of v) s += (x - m) ** 2;
    let sd = Math.sqrt(s / (v.length || 1));
    if (!(sd > 0)) sd = dims.length > 1 ? Math.sqrt(2 / (dims.slice(1).reduce((a, b) => a * b, 1) || 1)) : 0.01;
    const r = new Float32Array(v.length);
    for (let i = 0; i < r.length; i++) r[i] = sd * rng.normal();
    return makeTensor(t.name, r, dims, 'float32');
  });
  return { ...model, graph: { ...g, initializer } };
}

export async function sanityCheck(source: ModelProto, runtime: Runtime, x: Float32Array, method: string, opts: SanityOptions = {}): Promise<SanityReport> {
  const model = withPlainRawData(source);
  const threshold = opts.threshold ?? 0.8;
  const base = ExplainModel.create(model, runtime);
  let original;
  try {
    original = await explainImage(base, x, { methods: [method], layer: opts.layer, target: opts.target, options: opts.options, signal: opts.signal });
  } finally { await base.dispose(); }
  const ref = original.results[0]!;
  const layer = ref.layer ?? opts.layer;
  const target = original.target.index;
  const layers = cascadeLayers(model);
  if (!layers.length) throw new Error('sanity check: the model has no Conv/Gemm/MatMul weights to randomise');
  const nSteps = Math.min(layers.length, opts.steps ?? Math.min(layers.length, 8));
  const steps: SanityStep[] = [];
  for (let s = 1; s <= nSteps; s++) {
    const upto = Math.round((s / nSteps) * layers.length);
    const chosen = layers.slice(0, upto);
    const names = new Set(chosen.flatMap((l) => l.tensors));
    const randomized = randomizeInitializers(model, names, opts.seed ?? 7);
    const em = ExplainModel.create(randomized, runtime);
    try {
      const r = await explainImage(em, x, { methods: [method], layer, target, options: opts.options, signal: opts.signal });
      const m = r.results[0]!.map;
      steps.push({
        randomized: chosen.map((l) => l.node), fraction: upto / layers.length,
        spearmanAbs: spearman(ref.map, m, true), spearman: spearman(ref.map, m), ssim: mapSsim(ref.map, m, ref.height, ref.width),
      });
    } finally { await em.dispose(); }
    opts.onProgress?.(s, nSteps);
  }
  // "Barely changes with the top half random": the mean Spearman |·| over the cascade steps that
  // randomise at most the top half of the layers (the first step when even that is more).
  const top = steps.filter((x) => x.fraction <= 0.5 + 1e-9);
  const within = top.length ? top : [steps[0]!];
  const score = within.reduce((a, x) => a + x.spearmanAbs, 0) / within.length;
  const pct = Math.round(within[within.length - 1]!.fraction * 100);
  const flagged = score > threshold;
  return {
    method, targetClass: target, layers: layers.map((l) => l.node), steps, flagged, threshold,
    score,
    verdict: flagged
      ? `${method}: the map hardly changes (mean Spearman |·| ${score.toFixed(2)} > ${threshold}) while up to ${pct}% of the layers are randomised from the top — it does not reflect what those layers learned`
      : `${method}: the map changes (mean Spearman |·| ${score.toFixed(2)} ≤ ${threshold}) while up to ${pct}% of the layers are randomised from the top — it depends on the learned weights`,
  };
}
