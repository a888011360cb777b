// Global average pooling: a [N, C, ...spatial] feature map becomes [N, C] (the mean of each channel's
// plane), so conv layers give one value per channel instead of C·H·W mostly redundant ones.

/** Mean over the spatial axes of an [N, C, ...] tensor; 2-D [N, C] input comes back unchanged. */
export function globalAveragePool(data: Float32Array, dims: readonly number[]): { data: Float32Array; dims: [number, number] } {
  if (dims.length < 2) throw new Error(`global average pooling needs [N, C, ...] data; got dims [${dims.join('×')}]`);
  const n = dims[0]!, c = dims[1]!;
  const plane = dims.slice(2).reduce((a, b) => a * b, 1);
  if (data.length !== n * c * plane) throw new Error(`global average pooling: ${data.length} values do not fit dims [${dims.join('×')}]`);
  if (plane === 1) return { data, dims: [n, c] };
  const out = new Float32Array(n * c);
  for (let r = 0; r < n * c; r++) {
    // float64 accumulation: planes of 112×112 would lose digits in float32.
    let s = 0;
    const base = r * plane;
    for (let i = 0; i < plane; i++) s += data[base + i]!;
    out[r] = s / plane;
  }
  return { data: out, dims: [n, c] };
}
