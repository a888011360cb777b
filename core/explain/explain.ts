// Explain one preprocessed image with several methods: pick the target class (top-1 unless
// given), run each method with shared caches, time it, and return maps at model-input resolution.
import type { ExplainModel } from './model.ts';
import { softmaxRow } from './model.ts';
import { resolveOptions, type ExplainOptions } from './options.ts';
import { explainerRunner, resolveMethods, EXPLAINERS } from './registry.ts';
import type { MethodContext } from './context.ts';
import type { GradientChunk, GradientRequestSpec, SpatialLayer } from './model.ts';
import type { LayerMaps } from './cam.ts';

/** The gradient pass the first method needs, when it can also pick the top-1 class. */
function fusedGradient(method: string, layer: SpatialLayer | undefined): { spec: GradientRequestSpec } | undefined {
  const info = EXPLAINERS.get(method)!;
  if (info.kind === 'gradient-cam' && layer) return { spec: { layer: layer.tensor } };
  if (method === 'saliency' || method === 'gradxinput') return { spec: { input: true } };
  if (method === 'guided-backprop') return { spec: { input: true, guided: true } };
  return undefined;
}

export type TargetChoice = 'top1' | number;

export interface ExplainProgress { method: string; methodIndex: number; methods: number; done: number; total: number }

export interface ExplainRequest {
  methods: readonly string[];
  /** Node or tensor name; default: the last spatial conv/activation. */
  layer?: string;
  target?: TargetChoice;
  options?: ExplainOptions;
  signal?: AbortSignal;
  onProgress?: (p: ExplainProgress) => void;
}

export interface MethodResult {
  method: string;
  /** H×W at model-input resolution (raw values, not normalised). */
  map: Float32Array;
  height: number;
  width: number;
  signed: boolean;
  /** Layer the map was computed at (CAM methods). */
  layer?: string;
  layerMap?: { data: Float32Array; height: number; width: number };
  targetClass: number;
  ms: number;
  extra?: Record<string, number>;
}

export interface ImageExplanation {
  predicted: { index: number; probability: number };
  target: { index: number; probability: number; score: number };
  /** Softmax of the class scores. */
  probabilities: Float64Array;
  /** The pass that chose the target class: a forward pass, or the first gradient method's own pass when fused. */
  forwardMs: number;
  results: MethodResult[];
}

export function pickTarget(probs: ArrayLike<number>, target: TargetChoice | undefined): number {
  if (target === undefined || target === 'top1') {
    let best = 0;
    for (let i = 1; i < probs.length; i++) if (probs[i]! > probs[best]!) best = i;
    return best;
  }
  if (!Number.isInteger(target) || target < 0 || target >= probs.length) throw new Error(`explain: target class ${target} is outside 0–${probs.length - 1}`);
  return target;
}

export async function explainImage(em: ExplainModel, x: Float32Array, req: ExplainRequest): Promise<ImageExplanation> {
  if (x.length !== em.inputSize) throw new Error(`explain: the image has ${x.length} values, the model takes [${em.inputShape.join(', ')}]`);
  const methods = resolveMethods(req.methods);
  const [, H, W] = em.inputShape;
  const options = resolveOptions(req.options, H, W);
  const needsLayer = methods.some((m) => EXPLAINERS.get(m)!.usesLayer);
  const layer = needsLayer ? em.layer(req.layer) : em.layers.length ? em.layer(req.layer) : undefined;
  const cache = new Map<string, Promise<unknown>>();
  const t0 = performance.now();
  // For the top-1 class, a first gradient method picks the class inside its own pass (one pass
  // instead of a forward pass and then a gradient pass); its result seeds the per-image cache.
  const fused = (req.target ?? 'top1') === 'top1' ? fusedGradient(methods[0]!, layer) : undefined;
  let scores: Float32Array;
  if (fused) {
    let got: GradientChunk | undefined;
    await em.gradients({ ...fused.spec, autoTarget: true }, 1, () => x, () => 0, (c) => { got = c; }, { signal: req.signal });
    scores = got!.scores;
    const c = got!.classes[0]!;
    if (fused.spec.layer) {
      const l = layer!;
      cache.set(`layergrad:${l.tensor}:${c}`, Promise.resolve<LayerMaps>({ act: got!.act!, grad: got!.gradLayer!, channels: l.channels, height: l.height, width: l.width }));
    } else cache.set(`inputgrad:${!!fused.spec.guided}:${c}`, Promise.resolve(got!.gradInput!));
  } else scores = await em.scores(x, 1, { signal: req.signal });
  const forwardMs = performance.now() - t0;
  const probs = softmaxRow(scores, 0, scores.length);
  const target = pickTarget(probs, req.target);
  const predicted = pickTarget(probs, 'top1');
  const results: MethodResult[] = [];
  for (const [mi, method] of methods.entries()) {
    if (req.signal?.aborted) throw Object.assign(new Error('the explanation was cancelled'), { name: 'AbortError', code: 'cancelled' });
    const info = EXPLAINERS.get(method)!;
    const ctx: MethodContext = {
      em, x, target, layer: layer!, options, signal: req.signal, cache,
      progress: (done, total) => req.onProgress?.({ method, methodIndex: mi, methods: methods.length, done, total }),
    };
    req.onProgress?.({ method, methodIndex: mi, methods: methods.length, done: 0, total: 1 });
    const s = performance.now();
    const out = await explainerRunner(method)(ctx);
    const ms = performance.now() - s;
    results.push({
      method, map: out.map, height: H, width: W, signed: out.signed, targetClass: target, ms,
      ...(info.usesLayer && layer ? { layer: layer.node } : {}),
      ...(out.layerMap ? { layerMap: out.layerMap } : {}),
      ...(out.extra ? { extra: out.extra } : {}),
    });
    req.onProgress?.({ method, methodIndex: mi, methods: methods.length, done: 1, total: 1 });
  }
  return {
    predicted: { index: predicted, probability: probs[predicted]! },
    target: { index: target, probability: probs[target]!, score: scores[target]! },
    probabilities: probs, forwardMs, results,
  };
}
