// Numbers about a kernel tensor: a histogram of all weights and the L2 norm of each filter.
export interface Histogram { min: number; max: number; bins: number; counts: Uint32Array }

/** `bins` equal-width bins over [min, max]; the maximum falls in the last bin. NaN values are skipped. */
export function histogram(values: Float32Array, bins: number): Histogram {
  if (!Number.isInteger(bins) || bins < 1 || bins > 10_000) throw new RangeError(`bins must be an integer from 1 to 10000 (got ${bins})`);
  let min = Infinity, max = -Infinity;
  for (const v of values) { if (v < min) min = v; if (v > max) max = v; }
  const counts = new Uint32Array(bins);
  if (!(max >= min)) return { min: 0, max: 0, bins, counts };
  const span = max - min;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    const k = span > 0 ? Math.min(bins - 1, Math.floor(((v - min) / span) * bins)) : 0;
    counts[k]!++;
  }
  return { min, max, bins, counts };
}

/** L2 norm of each of the first-axis slices (one filter per output channel for Conv). */
export function filterNorms(data: Float32Array, filters: number): Float32Array {
  const per = data.length / filters;
  if (!Number.isInteger(per)) throw new Error(`${data.length} weights do not split into ${filters} filters`);
  const out = new Float32Array(filters);
  for (let f = 0; f < filters; f++) {
    let s = 0;
    for (let i = f * per; i < (f + 1) * per; i++) s += data[i]! * data[i]!;
    out[f] = Math.sqrt(s);
  }
  return out;
}
