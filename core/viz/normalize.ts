// Statistics and normalisation of feature maps (C×H×W planes of one layer for one input).
export interface ChannelStats { min: number; max: number; mean: number; zeros: number }

export function channelStats(data: Float32Array, channels: number): ChannelStats[] {
  const hw = data.length / channels;
  if (!Number.isInteger(hw)) throw new Error(`a tensor of ${data.length} values does not split into ${channels} channels`);
  const out: ChannelStats[] = [];
  for (let c = 0; c < channels; c++) {
    let min = Infinity, max = -Infinity, sum = 0, zeros = 0;
    for (let i = c * hw; i < (c + 1) * hw; i++) {
      const v = data[i]!;
      if (v < min) min = v; if (v > max) max = v; sum += v; if (v === 0) zeros++;
    }
    out.push({ min, max, mean: sum / hw, zeros });
  }
  return out;
}

/** Fraction of exact zeros over the layer (the sparsity after ReLU). */
export function zeroFraction(stats: ChannelStats[], planeSize: number): number {
  const z = stats.reduce((a, s) => a + s.zeros, 0);
  return stats.length ? z / (stats.length * planeSize) : 0;
}

export type NormMode = 'channel' | 'layer';

/**
 * Scale each channel to [0, 1], by its own min/max ('channel': shows structure in every map) or by
 * the layer's ('layer': keeps channels comparable). A constant range maps to 0.
 */
export function normalizeMaps(data: Float32Array, channels: number, mode: NormMode, stats = channelStats(data, channels)): Float32Array {
  const hw = data.length / channels;
  const out = new Float32Array(data.length);
  let lmin = Infinity, lmax = -Infinity;
  for (const s of stats) { lmin = Math.min(lmin, s.min); lmax = Math.max(lmax, s.max); }
  for (let c = 0; c < channels; c++) {
    const lo = mode === 'channel' ? stats[c]!.min : lmin, hi = mode === 'channel' ? stats[c]!.max : lmax;
    const scale = hi > lo ? 1 / (hi - lo) : 0;
    for (let i = c * hw; i < (c + 1) * hw; i++) out[i] = (data[i]! - lo) * scale;
  }
  return out;
}

/** Channel indices in display order: by index, or by mean activation (highest first). */
export function channelOrder(stats: ChannelStats[], by: 'index' | 'mean'): number[] {
  const idx = stats.map((_, i) => i);
  return by === 'index' ? idx : idx.sort((a, b) => stats[b]!.mean - stats[a]!.mean || a - b);
}
