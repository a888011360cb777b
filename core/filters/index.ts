// Filters: the kernels of Conv layers, their histogram and per-filter norms, and kernel images.
import type { ModelProto } from '../onnx/proto.ts';
import { convWeights, type ConvWeights } from './weights.ts';
import { filterNorms, histogram, type Histogram } from './stats.ts';
import { filterView, type FilterView } from './render.ts';

export { convWeights, FilterError, type ConvWeights } from './weights.ts';
export { histogram, filterNorms, type Histogram } from './stats.ts';
export { kernelGrid, filterView, symmetricUnit, type FilterView, type KernelGridOptions } from './render.ts';

export interface LayerFilters extends ConvWeights { histogram: Histogram; norms: Float32Array; view: FilterView }

export function layerFilters(model: ModelProto, layer: string, opts: { bins?: number } = {}): LayerFilters {
  const w = convWeights(model, layer);
  return { ...w, histogram: histogram(w.data, opts.bins ?? 64), norms: filterNorms(w.data, w.dims[0]!), view: filterView(w) };
}
