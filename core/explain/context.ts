// What every explainer gets: the model, one preprocessed image, the class to explain, the layer,
// options, cancellation and progress, and a per-image cache so several CAMs share one gradient run.
import type { ExplainModel, SpatialLayer } from './model.ts';
import type { ResolvedOptions } from './options.ts';
import type { LayerMaps } from './cam.ts';

export interface MethodContext {
  em: ExplainModel;
  /** One image [C, H, W] in model-input units. */
  x: Float32Array;
  target: number;
  layer: SpatialLayer;
  options: ResolvedOptions;
  signal?: AbortSignal;
  progress(done: number, total: number): void;
  cache: Map<string, Promise<unknown>>;
}

export interface MethodOutput {
  /** H×W at model-input resolution. */
  map: Float32Array;
  /** The map on the layer's own grid, before upsampling (CAM methods). */
  layerMap?: { data: Float32Array; height: number; width: number };
  /** True when negative values mean evidence against the class (IG, gradient × input). */
  signed: boolean;
  extra?: Record<string, number>;
}

export function cached<T>(ctx: MethodContext, key: string, make: () => Promise<T>): Promise<T> {
  let p = ctx.cache.get(key) as Promise<T> | undefined;
  if (!p) { p = make(); ctx.cache.set(key, p); }
  return p;
}

/** Layer activations and gradient of the target class for this image (shared by the gradient CAMs). */
export function layerGradient(ctx: MethodContext): Promise<LayerMaps> {
  return cached(ctx, `layergrad:${ctx.layer.tensor}:${ctx.target}`, async () => {
    let out: LayerMaps | undefined;
    const { channels, height, width } = ctx.layer;
    await ctx.em.gradients({ layer: ctx.layer.tensor }, 1, () => ctx.x, () => ctx.target, (c) => {
      out = { act: c.act!, grad: c.gradLayer!, channels, height, width };
    }, { signal: ctx.signal });
    return out!;
  });
}

/** Layer activations only (a forward pass). */
export function layerActivations(ctx: MethodContext): Promise<LayerMaps> {
  const hit = ctx.cache.get(`layergrad:${ctx.layer.tensor}:${ctx.target}`) as Promise<LayerMaps> | undefined;
  if (hit) return hit;
  return cached(ctx, `act:${ctx.layer.tensor}`, async () => {
    let out: LayerMaps | undefined;
    const { channels, height, width } = ctx.layer;
    await ctx.em.forward(1, () => ctx.x, (_s, _c, _scores, act) => { out = { act: act!, channels, height, width }; }, { layer: ctx.layer, signal: ctx.signal });
    return out!;
  });
}

/** Gradient of the target class w.r.t. the input, [C, H, W] (guided: Springenberg's rule at ReLUs). */
export function inputGradient(ctx: MethodContext, guided: boolean): Promise<Float32Array> {
  return cached(ctx, `inputgrad:${guided}:${ctx.target}`, async () => {
    let g: Float32Array | undefined;
    await ctx.em.gradients({ input: true, guided }, 1, () => ctx.x, () => ctx.target, (c) => { g = c.gradInput!; }, { signal: ctx.signal });
    return g!;
  });
}

/** max over channels of |v| per pixel: how saliency maps from input gradients are shown (Simonyan et al. §3.1). */
export function maxAbsOverChannels(v: Float32Array, channels: number, hw: number): Float32Array {
  const out = new Float32Array(hw);
  for (let c = 0; c < channels; c++) for (let i = 0; i < hw; i++) { const a = Math.abs(v[c * hw + i]!); if (a > out[i]!) out[i] = a; }
  return out;
}

export function sumOverChannels(v: Float32Array, channels: number, hw: number): Float32Array {
  const out = new Float32Array(hw);
  for (let c = 0; c < channels; c++) for (let i = 0; i < hw; i++) out[i]! += v[c * hw + i]!;
  return out;
}
